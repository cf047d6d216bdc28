from django.utils import translation

from residents.names import names_list


def test_names_are_listed_with_the_readers_separator():
    with translation.override("zh-hans"):
        assert names_list(["海悦花园", "锦都名苑", "3号楼"]) == "海悦花园、锦都名苑、3号楼"
    with translation.override("en"):
        assert names_list(["Haiyue", "Jindu"]) == "Haiyue, Jindu"
    assert names_list([]) == ""
