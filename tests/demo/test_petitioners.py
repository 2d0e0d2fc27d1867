"""The demo's made-up petitioners."""

from cases.demo.petitioners import gb11643_check_digit
from workflow.intake import validate_id_number


def test_demo_identity_numbers_carry_the_gb11643_check_digit() -> None:
    assert gb11643_check_digit("11010519491231002") == "X"  # the standard's own example
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
