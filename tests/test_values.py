from datetime import date

import pytest
from pydantic_core import PydanticCustomError

from govgraph import values


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2024-05-01", date(2024, 5, 1), date(2024, 5, 1)),
        ("2024/5/1", date(2024, 5, 1), date(2024, 5, 1)),
        ("2024.5.1", date(2024, 5, 1), date(2024, 5, 1)),
        ("2024年5月1日", date(2024, 5, 1), date(2024, 5, 1)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024年", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-05", date(2024, 5, 1), date(2024, 5, 31)),
        ("2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
    ],
)
def test_dates_full_and_partial(text, start, end):
    assert values.parse_date(text) == start
    assert values.parse_date(text, end_of_period=True) == end


@pytest.mark.parametrize("text", ["2024-13-01", "2024-02-30", "昨天", "24-5-1", "2024-5-1-1"])
def test_bad_dates(text):
    with pytest.raises(PydanticCustomError) as err:
        values.parse_date(text)
    assert err.value.type == "bad_date"


@pytest.mark.parametrize("text, expected", [("是", True), ("否", False), ("TRUE", True), ("0", False), ("1", True)])
def test_booleans(text, expected):
    assert values.parse_bool(text) is expected


def test_bad_boolean():
    with pytest.raises(PydanticCustomError) as err:
        values.parse_bool("可能")
    assert err.value.type == "bad_boolean"


@pytest.mark.parametrize("text, expected", [("0", 0), ("12", 12), ("12.0", 12)])
def test_counts(text, expected):
    assert values.parse_count(text) == expected


@pytest.mark.parametrize("text", ["-3", "三", "1.5", ""])
def test_bad_counts(text):
    with pytest.raises(PydanticCustomError) as err:
        values.parse_count(text)
    assert err.value.type == "bad_count"


def test_credit_code_checksum():
    # 91110000600037341L is a published example with a correct check character.
    assert values.is_valid_credit_code("91110000600037341L")
    assert not values.is_valid_credit_code("91110000600037341M")
    assert not values.is_valid_credit_code("9111000060003734")
    assert not values.is_valid_credit_code("91110000600037341I")  # I is not in the alphabet


def test_id_card_detection():
    assert values.looks_like_id_card("11010519491231002X")  # the GB 11643 example
    assert not values.looks_like_id_card("110105194912310021")  # wrong check digit
    assert values.looks_like_id_card("110105491231002")  # 15-digit form
    assert not values.looks_like_id_card("13800001234")  # a phone number
    assert not values.looks_like_id_card("91110000600037341L")


def test_masks():
    assert values.mask_phone("13812345678") == "138****5678"
    assert values.mask_sensitive("电话13812345678，证件11010519491231002X") == "电话138****5678，证件110105********002X"


def test_tags():
    assert values.split_tags("退役军人；在职党员、两代表一委员,退休干部;") == ["退役军人", "在职党员", "两代表一委员", "退休干部"]
