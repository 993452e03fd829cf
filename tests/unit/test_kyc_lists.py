"""Sanctions lists as configured (issue 10, item 1): the complete list by default, other lists by
setting, versions on every result, stale lists warned about, broken lists refused up front."""
from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from rightsized.domains.bfsi_kyc import KycDomain
from rightsized.domains.bfsi_kyc.lists import KycConfig, SanctionsListConfig, load_lists
from rightsized.domains.bfsi_kyc.sanctions import BUNDLED_SDN, load_sdn_csv
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.errors import ConfigError

from tests.conftest import SHARED_EXTERNAL

SDN = SHARED_EXTERNAL / "bfsi_kyc" / "ofac_sdn" / "sdn.csv"


def test_the_default_list_is_the_complete_sdn_snapshot() -> None:
    """The cause of a listed person's approval: a 313-row extract was the only list."""
    lists = load_lists(KycConfig(), today=date(2024, 5, 10))
    [version] = lists.versions
    assert (version.name, version.snapshot_date, version.rows) == ("OFAC SDN", "2024-05-03", 14_965)
    assert version.individuals == 6_854 and version.age_days == 7 and not version.stale
    assert len(version.sha256) == 64 and version.source == str(BUNDLED_SDN)


@pytest.mark.skipif(not SDN.exists(), reason=f"{SDN} is absent")
def test_the_bundled_list_is_the_snapshot_byte_for_byte() -> None:
    assert gzip.decompress(BUNDLED_SDN.read_bytes()) == SDN.read_bytes()


def test_the_listed_person_who_was_approved_is_caught_by_default() -> None:
    """A listed individual outside the old 313-row extract, under the listed name and DOB."""
    entries = {e.uid: e for e in load_sdn_csv(BUNDLED_SDN)}
    extract = {e.uid for e in load_sdn_csv(BUNDLED_SDN.with_name("sdn_extract.csv"))}
    person = next(e for uid, e in sorted(entries.items(), key=lambda kv: int(kv[0]))
                  if uid not in extract and e.entry_type == "individual"
                  and any(len(d) == 10 for d in e.birth_dates) and "," in e.name)
    dob = date.fromisoformat(next(d for d in person.birth_dates if len(d) == 10))
    last, _, first = person.name.partition(",")
    hits = load_lists(KycConfig()).screener.screen(f"{first.strip()} {last.strip()}", dob)
    assert hits and hits[0].entry.uid == person.uid and hits[0].status == "hit"


def test_several_lists_and_a_plain_csv_are_screened_and_versioned(tmp_path: Path) -> None:
    plain = tmp_path / "eu_persons.csv"
    plain.write_text("name,aliases,dates_of_birth,nationality,list_name\n"
                     "Jörg Ämtmann,Joerg Amtmann;J. Amtmann,1971-02-03,DEU,EU consolidated\n")
    config = KycConfig(sanctions_lists=(SanctionsListConfig(),
                                        SanctionsListConfig(path=plain, format="plain_csv", name="EU",
                                                            snapshot_date=date(2026, 11, 1))),
                       max_list_age_days=60)
    lists = load_lists(config, today=date(2026, 12, 1))
    assert [(v.name, v.rows, v.stale) for v in lists.versions] == [("OFAC SDN", 14_965, True), ("EU", 1, False)]
    [hit] = lists.screener.screen("Joerg Amtmann", date(1971, 2, 3))
    assert hit.entry.list_name == "EU consolidated" and hit.status == "hit"
    [warning] = lists.warnings()
    assert "'OFAC SDN' is 942 days old (snapshot 2024-05-03)" in warning


def test_a_missing_or_malformed_list_stops_the_run_naming_the_file(tmp_path: Path) -> None:
    domain = KycDomain()
    with pytest.raises(ConfigError, match=r"sanctions_lists: .*nowhere\.csv: cannot read sanctions list"):
        domain.configure({"sanctions_lists": [{"path": str(tmp_path / "nowhere.csv")}]})
    bad = tmp_path / "bad.csv"
    bad.write_text("name,dates_of_birth\nSomeone,03/02/1971\n")
    with pytest.raises(ConfigError, match=r"bad\.csv: line 2: date of birth '03/02/1971'"):
        domain.configure({"sanctions_lists": [{"path": str(bad), "format": "plain_csv"}]})
    with pytest.raises(ConfigError, match=r"domains\.bfsi_kyc\.max_list_age_days"):
        domain.configure({"max_list_age_days": 0})


def test_lists_are_set_through_the_ordinary_config(tmp_path: Path) -> None:
    plain = tmp_path / "local.csv"
    plain.write_text("name\nAnna Example\n")
    settings = load_settings(overrides=[f"domains.bfsi_kyc.sanctions_lists=[{{path: {plain}, format: plain_csv}}]"])
    config = KycDomain().configure(settings.domains["bfsi_kyc"])
    assert isinstance(config, KycConfig) and [v.name for v in load_lists(config).versions] == ["local"]


def test_check_shows_each_list_with_its_date_size_and_staleness() -> None:
    [resource] = KycDomain().resources(KycConfig(max_list_age_days=30))
    assert resource.name == "sanctions list: OFAC SDN"
    assert resource.facts["rows"] == 14_965 and resource.facts["snapshot_date"] == "2024-05-03"
    assert resource.facts["stale"] and "days old" in resource.warnings[0]
