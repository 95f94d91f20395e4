"""The web's coverage plot at city scale (issue 15, item 5): the overview plots districts
when one figure cannot hold every street (the street table lists them all); a street's
page plots its communities."""

from __future__ import annotations

from datetime import date

from govgraph.charts.plots import ONE_FIGURE_UNITS
from govgraph.synth import Tier, write_synthetic

from .conftest import client_for, make_bench

ON = date(2026, 6, 30)


def test_overview_plot_is_by_district_when_streets_are_too_many(tmp_path):
    folder = tmp_path / "ledger"
    write_synthetic(folder, spec=Tier("t", 1, 2, ONE_FIGURE_UNITS + 10, 80, 160, 20, (1, 2)))
    client = client_for(make_bench(tmp_path / "s.sqlite", folder))
    whole = client.get(f"/chart/coverage.svg?as_of={ON}")
    assert whole.status_code == 200 and "各区县小区党的组织和工作覆盖情况" in whole.text
    street = client.get(f"/chart/coverage.svg?as_of={ON}&unit=S001")
    assert street.status_code == 200 and "各社区小区党的组织和工作覆盖情况" in street.text


def test_overview_plot_is_by_street_when_they_fit(client):
    response = client.get("/chart/coverage.svg")
    assert response.status_code == 200 and "各街道小区党的组织和工作覆盖情况" in response.text
