from shared.aws import availability_zones as zones


def test_vendored_zones_equal_what_the_installed_cfn_lint_says() -> None:
    expected = zones.extract(zones.cfn_lint_source().read_text())
    assert zones.vendored() == expected, f"run: {zones.REGENERATE}"


def test_regions_list_their_real_zones() -> None:
    assert zones.zones_in("us-west-1") == ("us-west-1a", "us-west-1c")
    assert len(zones.zones_in("us-east-1") or ()) == 6
    assert zones.zones_in("us-est-1") is None
    assert "eu-west-1" in zones.regions() and "cfn-lint" in zones.source()


def test_the_mocks_zones_are_the_regions_real_ones_never_invented() -> None:
    for region in zones.regions():
        listed = [
            z["name"] for z in zones.account_zones(region) if z["zoneType"] == "availability-zone"
        ]
        assert tuple(listed) == zones.zones_in(region)


def test_zone_ids_follow_the_region() -> None:
    assert zones.zone_id_prefix("us-east-1") == "use1"
    assert zones.zone_id_prefix("eu-west-2") == "euw2"
    assert zones.zone_id_prefix("ap-southeast-1") == "apse1"
