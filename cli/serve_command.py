"""`govgraph serve`: the web workbench on the current store."""

from __future__ import annotations

import ipaddress
import logging
import os
import threading
import webbrowser

import click

from govgraph.errors import GovgraphError
from govgraph.profile import load_profile

from .options import profile_option, today
from .output import say


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址。默认只允许本机访问；改为其他地址（例如 0.0.0.0）时必须设置密码。")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option("--open", "open_browser", is_flag=True, help="启动后用默认浏览器打开工作台。")
@click.option("--password", envvar="GOVGRAPH_PASSWORD", default=None,
              help="登录密码（也可用环境变量 GOVGRAPH_PASSWORD）；监听本机以外的地址时必须设置。")
@click.option("--max-upload", "max_upload_mb", default=50, show_default=True, type=click.IntRange(1, 2048),
              metavar="MB", help="上传台账的大小上限（MB）。")
@profile_option
@click.pass_obj
def serve(settings, host, port, open_browser, password, max_upload_mb, profile_path) -> None:
    """启动网页工作台：总览、逐级查看、问题清单、空白小区、指导员选派、导入和下载，全部中文，
    不需要联网。在浏览器中打开屏幕上显示的地址即可使用；按 Ctrl+C 停止。"""
    import uvicorn

    from govgraph.charts import fonts
    from govgraph.web.app import create_app
    from govgraph.web.state import Workbench

    if not is_loopback(host) and not password:
        raise GovgraphError(f"监听 {host} 时其他电脑也能访问，必须设置登录密码："
                            "加 --password 或设置环境变量 GOVGRAPH_PASSWORD")
    profile = load_profile(profile_path)
    if not fonts.is_ready():
        say("首次使用：正在准备中文字体（约需半分钟，只需一次）……", err=True)
    fonts.register()
    settings.store().close()  # a missing database file is reported now, in Chinese
    bench = Workbench(lambda create=False: settings.store(create=create), profile)
    bench.warm_in_background(today())  # the first page need not wait for the whole-city audit
    app = create_app(bench, password=password, max_upload_mb=max_upload_mb)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    say(f"govgraph 工作台已启动：{address}（数据：{bench.description}）")
    say("在浏览器中打开上面的地址；按 Ctrl+C 停止。")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [address]).start()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        uvicorn.run(app, host=host, port=port, log_level=os.environ.get("GOVGRAPH_LOG_LEVEL", "warning"),
                    access_log=False)
    except OSError:  # pragma: no cover - the port is taken
        raise GovgraphError(f"无法在 {host}:{port} 启动：端口可能已被占用，请用 --port 换一个") from None


COMMANDS = [serve]
