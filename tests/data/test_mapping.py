"""Column mapping: loading and checking the YAML, and applying it to real-looking exports."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from salesops.data.config import ConfigError
from salesops.data.ingest import IngestError, ingest
from salesops.data.mapping import load_mapping
from salesops.data.stages import load_catalogue
from salesops.data.store import load_dataset

VALID = Path(__file__).parent / "fixtures" / "valid"
EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "salesforce_mapping.yaml"


def copy_valid(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(VALID, src)
    return src


def rewrite(src: Path, table: str, change) -> None:
    """Apply ``change`` (DataFrame -> DataFrame) to one fixture CSV, all values as text."""
    path = src / f"{table}.csv"
    change(pd.read_csv(path, dtype=str, keep_default_na=False)).to_csv(path, index=False)


def mapping_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    return path


def test_example_salesforce_mapping_loads() -> None:
    m = load_mapping(EXAMPLE)
    assert m.currency == "USD" and m.rates == {"EUR": 1.08, "GBP": 1.27}
    assert m.fiscal_year_start_month == 2
    assert m.table("opportunities").columns["Owner"] == ("rep_id",)
    assert m.table("reps").columns["Full Name"] == ("rep_id", "name")
    assert m.table("stage_history").stage_values["Needs Analysis"] == "Discovery"


def test_guide_shows_the_example_mapping_verbatim() -> None:
    guide = (EXAMPLE.parents[1] / "ingesting-your-crm.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", guide, re.S).group(1)
    assert yaml.safe_load(block) == yaml.safe_load(EXAMPLE.read_text())


def salesforce_export(dst: Path) -> None:
    """The valid fixture re-shaped the way a Salesforce report export looks."""
    dst.mkdir()
    reps = pd.read_csv(VALID / "reps.csv", dtype=str, keep_default_na=False)
    name_of = dict(zip(reps["rep_id"], reps["name"], strict=True))
    us = {"format": "%m/%d/%Y"}
    reps.rename(columns={"name": "Full Name", "manager": "Manager", "role": "Role"})[
        ["Full Name", "Manager", "Role"]].to_csv(dst / "Users.csv", index=False)
    hr = pd.DataFrame({
        "Employee": reps["name"], "Team": reps["team"],
        "Start Date": pd.to_datetime(reps["hire_date"]).dt.strftime("%d/%m/%Y"),
        "Leaving Date": pd.to_datetime(reps["termination_date"]).dt.strftime("%d/%m/%Y"),
    })
    hr.to_csv(dst / "hr_roster.csv", index=False)
    pd.read_csv(VALID / "accounts.csv", dtype=str, keep_default_na=False).rename(columns={
        "account_id": "Account ID", "name": "Account Name", "segment": "Segment",
        "industry": "Industry", "region": "Billing Region"}).to_csv(dst / "Accounts.csv",
                                                                   index=False)
    q = pd.read_csv(VALID / "quotas.csv", dtype=str)
    pd.DataFrame({
        "Owner": q["rep_id"].map(name_of),
        "Start Date": pd.to_datetime(q["period_start"]).dt.strftime(us["format"]),
        "End Date": pd.to_datetime(q["period_end"]).dt.strftime(us["format"]),
        "Quota": q["quota_amount"],
    }).to_csv(dst / "Quotas.csv", index=False)
    sf_stage = {"Discovery": "Needs Analysis", "Proposal": "Proposal/Price Quote",
                "Negotiation": "Negotiation/Review"}
    o = pd.read_csv(VALID / "opportunities.csv", dtype=str)
    pd.DataFrame({
        "Opportunity ID": o["opportunity_id"], "Owner": o["rep_id"].map(name_of),
        "Account ID": o["account_id"], "Product Family": o["product"],
        "Amount": o["amount"].where(o["opportunity_id"] != "O2", "10000"),
        "Opportunity Currency": ["USD", "EUR", "USD", "USD", "USD", "USD"],
        "Created Date": pd.to_datetime(o["created_date"]).dt.strftime(us["format"]),
        "Close Date": pd.to_datetime(o["close_date"]).dt.strftime(us["format"]),
        "Stage": o["stage"].replace(sf_stage),
        "Forecast Category": o["forecast_category"].str.replace("_", " ").str.title(),
        "Probability (%)": (o["probability"].astype(float) * 100).astype("Int64"),
    }).to_csv(dst / "Opportunities.csv", index=False)
    h = pd.read_csv(VALID / "stage_history.csv", dtype=str)
    pd.DataFrame({
        "Opportunity ID": h["opportunity_id"], "To Stage": h["stage"].replace(sf_stage),
        "Last Modified": pd.to_datetime(h["entered_date"]).dt.strftime(us["format"]),
    }).to_csv(dst / "Opportunity History.csv", index=False)


def test_example_mapping_turns_a_salesforce_export_into_the_fixture_dataset(
    tmp_path: Path,
) -> None:
    salesforce_export(tmp_path / "sf")
    result = ingest(tmp_path / "sf", tmp_path / "out", EXAMPLE)
    assert result.quarantine.empty
    got = load_dataset(tmp_path / "out")
    want = load_dataset(ingest(VALID, tmp_path / "canon").out_dir)
    assert got.settings.currency == "USD" and got.settings.fiscal_year_start_month == 2
    pd.testing.assert_frame_equal(got.stage_history, want.stage_history)
    # Reps are keyed by full name; region comes from the constant; dates from the HR file.
    assert got.reps["rep_id"].tolist() == want.reps["name"].tolist()
    assert set(got.reps["region"]) == {"EMEA"}
    pd.testing.assert_series_equal(got.reps["termination_date"], want.reps["termination_date"])
    # O2 was 10000 EUR: 10000 * 1.08 = 10800 USD. Other amounts are unchanged USD.
    opps = got.opportunities.set_index("opportunity_id")
    assert opps.loc["O2", "amount"] == pytest.approx(10800.0)
    assert (opps.loc["O2", "original_amount"], opps.loc["O2", "original_currency"]) == (
        10000.0, "EUR")
    same = ["account_id", "product", "created_date", "close_date", "stage", "status",
            "forecast_category", "probability"]
    pd.testing.assert_frame_equal(got.opportunities[same], want.opportunities[same])


def test_rename_stage_map_and_date_format(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "opportunities", lambda df: df.rename(columns={"amount": "Deal Value"}).assign(
        stage=df["stage"].replace({"Proposal": "Propose"}),
        created_date=pd.to_datetime(df["created_date"]).dt.strftime("%m/%d/%Y")))
    m = mapping_file(tmp_path, """
tables:
  opportunities:
    columns: {Deal Value: amount}
    stage_values: {Propose: Proposal}
    date_formats: {created_date: "%m/%d/%Y"}
""")
    result = ingest(src, tmp_path / "out", m)
    assert result.quarantine.empty
    opps = load_dataset(tmp_path / "out").opportunities
    assert opps["amount"].tolist()[:2] == [50000.0, 30000.0]
    assert opps["stage"].tolist()[1] == "Proposal"
    assert opps["created_date"].tolist()[0] == pd.Timestamp("2024-01-05")


def test_number_format_reads_grouped_and_european_amounts(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    # rows 1-6 as a European export writes them; row 3 follows no format ("1.23" would be
    # 1.23 to a plain parser but is malformed when "." groups thousands) and row 5 is "1,2,3"
    written = ["50.000", "30.000,50", "1.23", "1.234.567,8", "1,2,3", "-"]
    rewrite(src, "opportunities", lambda df: df.assign(
        amount=written, probability=df["probability"].str.replace(".", ",")))  # all numbers
    m = mapping_file(tmp_path, "tables:\n  opportunities:\n"
                               "    number_format: {thousands: '.', decimal: ','}\n")
    result = ingest(src, tmp_path / "out", m)
    opps = load_dataset(tmp_path / "out").opportunities
    assert opps["amount"].tolist() == [50000.0, 30000.5, 1234567.8]
    bad = result.quarantine.loc[result.quarantine["table"] == "opportunities"]
    assert bad["line"].tolist() == [4, 6, 7]  # file lines: header is line 1
    assert set(bad["check"]) == {"bad_number"}
    assert "non-numeric amount '1.23' (number_format: like 1.234,5)" in bad["reason"].tolist()


def test_number_format_parser_oracle() -> None:
    from salesops.data.mapping import NumberFormat
    raw = pd.Series(["1,234.5", "1234.5", " -2,500 ", "1,2,3", "12,34", None, "7."])
    got = NumberFormat(thousands=",", decimal=".").normalise(raw).tolist()
    assert got == ["1234.5", "1234.5", " -2500 ", None, None, None, "7."]
    assert NumberFormat().normalise(raw) is raw  # plain: untouched
    swiss = NumberFormat(thousands="'", decimal=".").normalise(pd.Series(["1'234'567.25"])).tolist()
    assert swiss == ["1234567.25"]


def test_status_values_are_mapped(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    crm = {"won": "Closed - Won", "lost": "Closed - Lost", "open": "In Progress"}
    rewrite(src, "opportunities", lambda df: df.assign(status=df["status"].map(crm)))
    m = mapping_file(tmp_path, "tables:\n  opportunities:\n    status_values: "
                               "{Closed - Won: won, Closed - Lost: lost, In Progress: open}\n")
    result = ingest(src, tmp_path / "out", m)
    assert result.quarantine.empty
    assert load_dataset(tmp_path / "out").opportunities["status"].tolist() == [
        "won", "open", "lost", "open", "open", "won"]


def test_constant_column(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "accounts", lambda df: df.drop(columns="region"))
    m = mapping_file(tmp_path, "tables:\n  accounts:\n    constants: {region: EMEA}\n")
    ingest(src, tmp_path / "out", m)
    assert set(load_dataset(tmp_path / "out").accounts["region"]) == {"EMEA"}


def test_join_brings_roster_columns_in(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "reps", lambda df: df.drop(columns=["manager", "team"]))
    pd.DataFrame({"Rep": ["R2", "R1"], "Boss": ["M2", "M1"], "Team": ["West", "East"]}).to_csv(
        src / "roster.csv", index=False)
    m = mapping_file(tmp_path, """
tables:
  reps:
    joins:
      - {file: roster.csv, key: rep_id, file_key: Rep, columns: {Boss: manager, Team: team}}
""")
    result = ingest(src, tmp_path / "out", m)
    reps = load_dataset(tmp_path / "out").reps
    assert reps[["rep_id", "manager", "team"]].fillna("?").values.tolist() == [
        ["R1", "M1", "East"], ["R2", "M2", "West"], ["R3", "?", "?"]]
    # R3 is not in the roster: its manager and team are unknown (optional columns), the rep and
    # its deals are kept, and the unmatched row is warned about.
    assert result.quarantine.empty
    assert any("1 rows have no match in roster.csv" in w for w in result.warnings)


def add_currency(src: Path, codes: list[str]) -> None:
    rewrite(src, "opportunities", lambda df: df.assign(currency=codes))


def test_currency_conversion(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    add_currency(src, ["USD", "EUR", "USD", "gbp", "USD", "USD"])
    m = mapping_file(tmp_path, "currency: USD\nrates: {EUR: 1.08, GBP: 1.25}\n")
    ingest(src, tmp_path / "out", m)
    opps = load_dataset(tmp_path / "out").opportunities
    # O2: 30000 EUR * 1.08 = 32400 USD; O4: 8000 GBP * 1.25 = 10000 USD.
    assert opps["amount"].tolist() == pytest.approx(
        [50000.0, 32400.0, 12000.0, 10000.0, 20000.0, 5000.0])
    assert opps["original_currency"].tolist()[:4] == ["USD", "EUR", "USD", "GBP"]


def test_single_foreign_currency_becomes_the_dataset_currency(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    add_currency(src, ["EUR"] * 6)
    result = ingest(src, tmp_path / "out")
    assert result.settings.currency == "EUR"
    assert load_dataset(tmp_path / "out").opportunities["amount"].iloc[0] == 50000.0


@pytest.mark.parametrize(("mapping", "message"), [
    (None, "opportunities.csv: column 'currency' holds several currencies (EUR, USD) and "
           "<default mapping> sets no `currency:` and `rates:` to convert them"),
    ("currency: USD\n", "opportunities.csv: column 'currency' holds EUR but mapping.yaml has "
                        "no exchange rate for it"),
    ("currency: USD\nrates: {GBP: 1.2}\n", "opportunities.csv: column 'currency' holds EUR"),
])
def test_several_currencies_without_rates_is_fatal(
    tmp_path: Path, mapping: str | None, message: str
) -> None:
    src = copy_valid(tmp_path)
    add_currency(src, ["USD", "EUR", "USD", "USD", "USD", "USD"])
    m = mapping_file(tmp_path, mapping) if mapping is not None else None
    with pytest.raises(IngestError, match=re.escape(message)):
        ingest(src, tmp_path / "out", m)


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("tables: {opportunites: {}}", "mapping.yaml: field 'tables.opportunites': unknown field"),
    ("tables: {opportunities: {columns: {X: amout}}}",
     "mapping.yaml: field 'tables.opportunities.columns.X': 'amout' is not a column of "
     "opportunities"),
    ("tables: {opportunities: {columns: {X: amount, Y: amount}}}",
     "field 'tables.opportunities.columns.Y': 'amount' is already mapped from 'X'"),
    ("fiscal_year_start_month: 13", "field 'fiscal_year_start_month': must be 1-12"),
    ("rates: {EUR: 1.1}", "field 'currency': is required when `rates` is given"),
    ("currency: USD\nrates: {EUR: 0}", "field 'rates.EUR': must be a positive number"),
    ("currency: USD\nrates: {EUR: lots}", "field 'rates.EUR': must be a number, got text"),
    ("tables: {opportunities: {date_formats: {stage: '%Y'}}}",
     "field 'tables.opportunities.date_formats.stage': not a date column of opportunities"),
    ("tables: [1]", "field 'tables': must be a mapping, got a list"),
    ("currency: [USD", "mapping.yaml: field 'line 1': invalid YAML"),
    ("- just a list", "mapping.yaml: field '<document>': must be a mapping"),
    ("tables: {reps: {joins: [{file: x.csv, key: rep_id}]}}",
     "field 'tables.reps.joins[0].columns': is required"),
    ("tables: {accounts: {constants: {colour: red}}}",
     "field 'tables.accounts.constants.colour': not a column of accounts"),
    ("tables: {accounts: {stage_values: {a: b}}}",
     "field 'tables.accounts.stage_values': accounts has no such column"),
    ("stage_catalogue: nowhere.yaml", "nowhere.yaml: field '<file>': cannot read file"),
    ("tables: {opportunities: {number_format: {thousands: '_'}}}",
     "field 'tables.opportunities.number_format.thousands': must be one of ','"),
    ("tables: {opportunities: {number_format: {decimal: ';'}}}",
     "field 'tables.opportunities.number_format.decimal': must be '.' or ','"),
    ("tables: {opportunities: {number_format: {thousands: ',', decimal: ','}}}",
     "field 'tables.opportunities.number_format': thousands separator and decimal mark are both"),
    ("tables: {opportunities: {number_format: {grouping: ','}}}",
     "field 'tables.opportunities.number_format.grouping': unknown field"),
])
def test_invalid_mapping_names_the_field(tmp_path: Path, yaml_text: str, message: str) -> None:
    m = mapping_file(tmp_path, yaml_text)
    if "stage_catalogue" not in yaml_text:
        with pytest.raises(ConfigError, match=re.escape(message)):
            load_mapping(m)
    with pytest.raises(IngestError, match=re.escape(message)):
        ingest(VALID, tmp_path / "out", m)


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("tables: {opportunities: {columns: {Deal Value: amount}}}",
     "opportunities.csv: column 'Deal Value' named in mapping.yaml: "
     "tables.opportunities.columns is not in the file"),
    ("tables: {reps: {joins: [{file: reps.csv, key: boss, columns: [team]}]}}",
     "reps.csv: join key 'boss' named in mapping.yaml: tables.reps.joins is not in the table"),
    ("tables: {reps: {joins: [{file: accounts.csv, key: rep_id, file_key: account_id, "
     "columns: {Team: team}}]}}",
     "accounts.csv: column 'Team' named in mapping.yaml: tables.reps.joins is not in the file"),
    ("tables: {reps: {joins: [{file: quotas.csv, key: rep_id, columns: {period_end: team}}]}}",
     "quotas.csv: join key column 'rep_id' has duplicate value 'R1'"),
    ("tables: {reps: {joins: [{file: missing.csv, key: rep_id, columns: [team]}]}}",
     "missing.csv: join file named in mapping.yaml: tables.reps.joins not found"),
    ("tables: {accounts: {constants: {region: EMEA}}}",
     "accounts.csv: column 'region' is in the data and also set as a constant"),
    ("tables: {opportunities: {columns: {amount: product}}}",
     "opportunities.csv: column 'product' is both in the file and mapped to"),
    ("tables: {opportunities: {file: Opps.csv}}",
     "Opps.csv: file not found in the source folder (mapped for 'opportunities')"),
])
def test_mapping_naming_a_missing_column_is_fatal(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    with pytest.raises(IngestError, match=re.escape(message)):
        ingest(VALID, tmp_path / "out", mapping_file(tmp_path, yaml_text))
    assert not (tmp_path / "out").exists()


def test_value_maps_and_defaults(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "opportunities", lambda df: df.assign(
        product=["Core Platform", "core", "Add-on", "", "Services", "Add-on"]))
    rewrite(src, "accounts", lambda df: df.assign(region=["N. America", "", "EMEA"]))
    m = mapping_file(tmp_path, """
tables:
  opportunities:
    value_maps: {product: {Core Platform: Core, core: Core}}
    defaults: {product: Unassigned}
  accounts:
    value_maps: {region: {N. America: NA}}
    defaults: {region: Unknown}
""")
    ingest(src, tmp_path / "out", m)
    ds = load_dataset(tmp_path / "out")
    assert ds.opportunities["product"].tolist() == ["Core", "Core", "Add-on", "Unassigned",
                                                    "Services", "Add-on"]
    assert ds.accounts["region"].tolist() == ["NA", "Unknown", "EMEA"]


def test_join_fill_takes_list_prices_for_empty_amounts(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "opportunities", lambda df: df.assign(
        amount=df["amount"].where(df["status"] == "won", ""),
        product=df["product"].replace({"Core": "core"})))
    pd.DataFrame({"Product": ["Core", "Add-on"], "List Price": ["9000", "1500"]}).to_csv(
        src / "prices.csv", index=False)
    m = mapping_file(tmp_path, """
tables:
  opportunities:
    value_maps: {product: {core: Core}}
    joins:
      - {file: prices.csv, key: product, file_key: Product, columns: {List Price: amount},
         fill: true}
""")
    result = ingest(src, tmp_path / "out", m)
    opps = load_dataset(tmp_path / "out").opportunities.set_index("opportunity_id")
    # Won deals keep their amounts (O1 50000, O6 5000); the others take the list price of
    # their product after the value map (O2 Core 9000, O3 Add-on 1500 -> O3 lost needs one:
    # filled); O5 (Services) has no price: stays unknown, and the row is warned about.
    assert opps["amount"].fillna(-1).to_dict() == {
        "O1": 50000.0, "O2": 9000.0, "O3": 1500.0, "O4": 9000.0, "O5": -1.0, "O6": 5000.0}
    assert any("1 rows have no match in prices.csv on 'product'; their empty cells stay empty"
               in w for w in result.warnings)


def test_join_without_fill_refuses_an_existing_column(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    pd.DataFrame({"Product": ["Core"], "amount": ["1"]}).to_csv(src / "prices.csv", index=False)
    m = mapping_file(tmp_path, "tables:\n  opportunities:\n    joins: [{file: prices.csv, key: "
                               "product, file_key: Product, columns: [amount]}]\n")
    with pytest.raises(IngestError, match=re.escape(
            "prices.csv: joined column 'amount' (mapping.yaml: tables.opportunities.joins) is "
            "already in opportunities.csv; add `fill: true`")):
        ingest(src, tmp_path / "out", m)


def test_derived_dates_from_an_age_column(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "opportunities", lambda df: df.drop(columns="created_date").assign(
        close_date=pd.to_datetime(df["close_date"]).dt.strftime("%m/%d/%Y"),
        Age=["75", "136", "49", "90", "seventy", "21"]))
    m = mapping_file(tmp_path, """
tables:
  opportunities:
    date_formats: {close_date: "%m/%d/%Y"}
    derived_dates:
      created_date: {from: close_date, minus_days: Age}
""")
    result = ingest(src, tmp_path / "out", m)
    opps = load_dataset(tmp_path / "out").opportunities.set_index("opportunity_id")
    # O1 closed 2024-03-20, 75 days old: created 2024-01-05 (Jan 5 + 75 days = Mar 20, leap year).
    assert opps.loc["O1", "created_date"] == pd.Timestamp("2024-01-05")
    assert opps.loc["O2", "created_date"] == pd.Timestamp("2024-01-31")  # 2024-06-15 - 136
    bad = result.quarantine.query("table == 'opportunities'")  # (its stage history follows it)
    assert bad[["line", "column", "check"]].values.tolist() == [[6, "created_date", "bad_date"]]
    assert "unparseable date '04/30/2024 minus seventy days' in created_date" in bad["reason"].iloc[0]


def test_status_from_flags_quarantines_a_flag_that_is_not_boolean(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    rewrite(src, "opportunities", lambda df: df.drop(columns="status").assign(
        Closed=["true", "false", "TRUE", "0", "false", "maybe"],
        Won=["true", "false", "false", "0", "false", "true"]))
    m = mapping_file(tmp_path, "tables:\n  opportunities:\n"
                               "    status_from: {closed: Closed, won: Won}\n")
    result = ingest(src, tmp_path / "out", m)
    assert load_dataset(tmp_path / "out").opportunities["status"].tolist() == [
        "won", "open", "lost", "open", "open"]
    bad = result.quarantine.query("table == 'opportunities'")
    assert bad[["line", "check"]].values.tolist() == [[7, "invalid_value"]]
    assert "status 'Closed=maybe, Won=true' is not one of" in bad["reason"].iloc[0]


def test_orders_export_maps_to_the_transactions_table(tmp_path: Path) -> None:
    src = tmp_path / "orders"
    src.mkdir()
    (src / "Orders Export.csv").write_text(
        "Order No,Order Date,Net Total,Sales Region,Customer Segment,Item,Client\n"
        "1001,03/01/2025,120.50,North,SMB,Widget,Acme\n"
        "1002,03/02/2025,80,South,Enterprise,Gadget,Globex\n"
        "1003,04/15/2025,99.5,North,,Widget,Acme\n")
    m = mapping_file(tmp_path, """
tables:
  transactions:
    file: Orders Export.csv
    columns:
      Order No: transaction_id
      Order Date: date
      Net Total: amount
      Sales Region: region
      Customer Segment: segment
      Item: product
      Client: customer
    date_formats: {date: "%m/%d/%Y"}
""")
    result = ingest(src, tmp_path / "out", m)
    ds = load_dataset(tmp_path / "out")
    assert result.quarantine.empty and ds.present == {"transactions"}
    tx = ds.transactions
    assert tx["amount"].sum() == pytest.approx(120.50 + 80 + 99.5)
    assert tx.groupby("region")["amount"].sum().to_dict() == {"North": 220.0, "South": 80.0}
    assert tx["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-03-02",
                                                           "2025-04-15"]
    assert pd.isna(tx["segment"].iloc[2])


@pytest.mark.parametrize(("yaml_text", "field", "reason"), [
    ("currency: USD\ncurrency: EUR\n", "line 2", "duplicate key 'currency' (first given at line 1)"),
    ("tables:\n  opportunities:\n    columns:\n      Amount: amount\n      Amount: probability\n",
     "line 5", "duplicate key 'Amount'"),
    ("tables: {opportunities: {defaults: {amount: '0'}}}", "tables.opportunities.defaults.amount",
     "amounts take no default"),
    ("tables: {opportunities: {value_maps: {close_date: {a: b}}}}",
     "tables.opportunities.value_maps.close_date", "value maps apply to text columns"),
    ("tables: {opportunities: {derived_dates: {created_date: {from: close_date}}}}",
     "tables.opportunities.derived_dates.created_date",
     "give exactly one of minus_days, plus_days, length"),
    ("tables: {opportunities: {derived_dates: {stage: {from: x, length: month}}}}",
     "tables.opportunities.derived_dates.stage", "not a date column of opportunities"),
    ("tables: {opportunities: {derived_dates: {created_date: {from: x, length: week}}}}",
     "tables.opportunities.derived_dates.created_date.length", "must be one of 'month', 'quarter'"),
    ("tables: {reps: {unpivot: {key: Id, prefix: x}}}", "tables.reps.unpivot",
     "only the stage_history table"),
    ("tables: {opportunities: {joins: [{file: p.csv, key: product, columns: [amount], fill: 2}]}}",
     "tables.opportunities.joins[0].fill", "must be"),
    ("tables: {opportunities: {candidates: {amount: []}}}",
     "tables.opportunities.candidates.amount", "must name at least one source column"),
    ("tables: {accounts: {constants: {region: yes}}}", "tables.accounts.constants.region",
     "must be text, got true/false"),
    ("tables: {reps: {from_table: reps, columns: {a: rep_id}}}", "tables.reps.from_table",
     "must name another table"),
    ("tables: {reps: {from_table: opportunities}}", "tables.reps.columns",
     "from_table needs the columns to take"),
    ("tables: {stage_history: {pivot: {key: id, properties: {dealstage: stage}}}}",
     "tables.stage_history.pivot", "only the opportunity_history table can be built by pivot"),
    ("tables: {opportunity_history: {pivot: {key: id, properties: {dealname: name}}}}",
     "tables.opportunity_history.pivot.properties.dealname", "'name' is not a changed field"),
    ("tables: {opportunity_history: {pivot: {key: id, properties: {}}}}",
     "tables.opportunity_history.pivot.properties", "must name at least one property"),
    ("tables: {opportunity_history: {pivot: {properties: {amount: amount}}}}",
     "tables.opportunity_history.pivot.key", "is required"),
])
def test_new_mapping_fields_are_checked(
    tmp_path: Path, yaml_text: str, field: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load_mapping(mapping_file(tmp_path, yaml_text))
    assert (err.value.source, err.value.field) == ("mapping.yaml", field)
    assert reason in err.value.reason


def test_yaml_aliases_may_be_overridden_without_a_duplicate_key_error(tmp_path: Path) -> None:
    m = load_mapping(mapping_file(tmp_path, """
tables:
  opportunities:
    stage_values: &s {Won: Closed Won, Lost: Closed Lost}
  stage_history:
    stage_values:
      <<: *s
      Won: Closed Won
"""))
    assert m.table("stage_history").stage_values == {"Won": "Closed Won", "Lost": "Closed Lost"}


def test_every_mapping_in_the_guide_is_valid(tmp_path: Path) -> None:
    guide = (EXAMPLE.parents[1] / "ingesting-your-crm.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    assert len(blocks) >= 5
    catalogues = [b for b in blocks if b.startswith("# stages.yaml")]
    for block in catalogues:  # stage catalogues the mappings beside them refer to
        (tmp_path / "stages.yaml").write_text(block)
        assert load_catalogue(tmp_path / "stages.yaml").names == ["Early", "Late", "Signed", "Dead"]
    for i, block in enumerate(b for b in blocks if b not in catalogues):
        path = tmp_path / f"block{i}.yaml"
        path.write_text(block)
        assert load_mapping(path).tables, block


def test_roster_taken_from_the_deals_file(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    for table in ("reps", "stage_history", "quotas"):
        (src / f"{table}.csv").unlink()
    rewrite(src, "opportunities", lambda df: df.assign(
        Owner=["Ann", "Ann", "Bo", "Cy", "Bo", "Annie"]))  # R1 is 'Annie' on line 7
    m = mapping_file(tmp_path, """
tables:
  reps:
    from_table: opportunities
    columns: {rep_id: rep_id, Owner: name}
""")
    result = ingest(src, tmp_path / "out", m)
    ds = load_dataset(tmp_path / "out")
    # Distinct (rep_id, Owner) rows: (R1, Ann) line 2, (R2, Bo) line 4, (R3, Cy) line 5,
    # (R1, Annie) line 7 -> a second R1: quarantined as a duplicate, the first name kept.
    assert ds.reps[["rep_id", "name"]].values.tolist() == [["R1", "Ann"], ["R2", "Bo"],
                                                           ["R3", "Cy"]]
    c = result.counts["reps"]
    assert (c.rows_in, c.rows_kept, c.rows_quarantined) == (4, 3, 1)
    dup = result.quarantine.query("table == 'reps'")
    assert dup[["line", "check"]].values.tolist() == [[7, "duplicate_key"]]
    assert "reps" not in ds.derived and len(ds.opportunities) == 6
    assert not any("ignored columns" in w and "Owner" in w for w in result.warnings)


def test_pivot_names_a_missing_column(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    (src / "opportunity_history.csv").write_text("deal,property,value,when\nO1,amount,5,2024-02-01\n")
    m = mapping_file(tmp_path, "tables:\n  opportunity_history:\n    pivot:\n      key: deal\n"
                               "      properties: {amount: amount}\n")
    with pytest.raises(IngestError, match=re.escape(
            "opportunity_history.csv: none of the columns named in mapping.yaml: "
            "tables.opportunity_history.pivot.timestamp (timestamp) is in the file")):
        ingest(src, tmp_path / "out", m)


def test_history_read_from_a_vendor_file_name(tmp_path: Path) -> None:
    src = copy_valid(tmp_path)
    shutil.copy(Path(__file__).parent / "fixtures" / "history" / "opportunity_history.csv",
                src / "Changes.csv")
    m = mapping_file(tmp_path, "tables: {opportunity_history: {aliases: [History, Changes]}}")
    result = ingest(src, tmp_path / "out", m)
    assert result.counts["opportunity_history"].file == "Changes.csv"
    assert result.counts["opportunity_history"].rows_kept == 8
