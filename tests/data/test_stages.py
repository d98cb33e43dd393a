import pandas as pd
import pytest

from salesops.data.config import ConfigError
from salesops.data.stages import load_catalogue


def write(tmp_path, text):
    path = tmp_path / "stages.yaml"
    path.write_text(text)
    return path


def test_default_catalogue_order_status_probability():
    cat = load_catalogue()
    assert cat.open_stages[0] == "Prospecting" and cat.won_stages == ["Closed Won"]
    s = pd.Series(["Proposal", "Closed Lost", "Nope"])
    assert cat.status_of(s).tolist()[:2] == ["open", "lost"] and pd.isna(cat.status_of(s)[2])
    assert cat.order_of(s).tolist()[:2] == [3.0, 6.0]
    assert cat.probability_of(s).tolist()[:2] == [0.4, 0.0]


def test_custom_catalogue_loads(tmp_path):
    path = write(tmp_path, """
stages:
  - {name: Lead, status: open, probability: 0.1}
  - {name: Won, status: won, probability: 1}
  - {name: Lost, status: lost, probability: 0}
""")
    assert load_catalogue(path).names == ["Lead", "Won", "Lost"]


@pytest.mark.parametrize(
    "body, field, reason",
    [
        ("stages: []", "stages", "must list at least 1"),
        ("stages:\n  - {name: A, status: maybe, probability: 0.1}", "stages[0].status", "one of"),
        ("stages:\n  - {name: A, status: open, probability: 2}", "stages[0].probability",
         "between 0 and 1"),
        ("stages:\n  - {name: A, status: open}", "stages[0].probability", "is required"),
        ("stages:\n  - {name: A, status: open, probability: 0.1, colour: red}",
         "stages[0].colour", "unknown field"),
        ("stages:\n  - {name: A, status: open, probability: 0.1}\n"
         "  - {name: A, status: won, probability: 1}", "stages[1].name", "duplicate stage"),
        ("stages:\n  - {name: A, status: open, probability: 0.1}\n"
         "  - {name: B, status: won, probability: 1}", "stages", "needs at least one 'lost'"),
        ("stages: [", "line", "invalid YAML"),
    ],
)
def test_invalid_catalogue_names_field(tmp_path, body, field, reason):
    with pytest.raises(ConfigError) as err:
        load_catalogue(write(tmp_path, body))
    assert err.value.source == "stages.yaml"
    assert err.value.field.startswith(field)
    assert reason in str(err.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read file"):
        load_catalogue(tmp_path / "absent.yaml")


def test_duplicate_key_in_a_catalogue_names_file_line_and_key(tmp_path):
    path = write(tmp_path, "stages:\n  - name: A\n    status: open\n    name: B\n"
                           "    probability: 0.1\n")
    with pytest.raises(ConfigError) as err:
        load_catalogue(path)
    assert (err.value.source, err.value.field) == ("stages.yaml", "line 4")
    assert err.value.reason.startswith("duplicate key 'name' (first given at line 2)")
