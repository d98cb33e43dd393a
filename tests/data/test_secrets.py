import pytest

from salesops.data.secrets import MissingSecretError, get_secret, read_dotenv


def test_dotenv_parsing(tmp_path):
    env = tmp_path / ".env"
    env.write_text("# comment\nexport CRM_URL='postgresql://u:p@h/db'\nTOKEN=abc\nbroken line\n")
    assert read_dotenv(env) == {"CRM_URL": "postgresql://u:p@h/db", "TOKEN": "abc"}


def test_environment_wins_over_dotenv(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("TOKEN=from-file\n")
    assert get_secret("TOKEN", env) == "from-file"
    monkeypatch.setenv("TOKEN", "from-env")
    assert get_secret("TOKEN", env) == "from-env"


def test_missing_secret_names_it_without_a_value(tmp_path):
    with pytest.raises(MissingSecretError, match="'CRM_URL' is not set"):
        get_secret("CRM_URL", tmp_path / ".env")
