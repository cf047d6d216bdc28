"""Building and unit names in the order people read them."""

from residents.naming import natural_key, natural_order


def test_numbers_in_names_compare_as_numbers():
    names = [
        "10号楼",
        "1号楼",
        "B座",
        "2号楼",
        "a座",
        "１１号楼",
        "3号楼2单元-1201",
        "3号楼2单元-901",
    ]

    assert natural_order(names) == [
        "1号楼",
        "2号楼",
        "3号楼2单元-901",
        "3号楼2单元-1201",
        "10号楼",
        "１１号楼",
        "a座",
        "B座",
    ]


def test_the_key_never_compares_a_number_with_text():
    assert natural_key("12") > natural_key("3")
    assert sorted(["号楼", "1", "", "1a", "a1"], key=natural_key) == ["", "1", "1a", "a1", "号楼"]
