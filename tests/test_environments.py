"""Environments: production, UAT, custom hosts, the legacy path, and TM_ENV / TM_BASE_URL."""

from __future__ import annotations

import warnings

import attrs
import pytest

from truemarkets_gateway import environments
from truemarkets_gateway.environments import PRODUCTION_HOST, UAT_HOST, Environment
from truemarkets_gateway.errors import ValidationError


@pytest.fixture(autouse=True)
def fresh_legacy_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environments, "_legacy_warned", False)


def test_production() -> None:
    env = Environment.production()
    assert (env.name, env.host, env.legacy) == ("prod", "https://api.truemarkets.co", False)
    assert env.auth_url == "https://api.truemarkets.co/v1/auth"
    assert env.gateway_url == "https://api.truemarkets.co/v1/gateway"
    assert PRODUCTION_HOST == "https://api.truemarkets.co"


def test_uat() -> None:
    env = Environment.uat()
    assert (env.name, env.host) == ("uat", UAT_HOST)
    assert env.auth_url == "https://api.uat.truemarkets.co/v1/auth"
    assert env.gateway_url == "https://api.uat.truemarkets.co/v1/gateway"


def test_custom_host_for_the_sandbox() -> None:
    env = Environment.custom("http://127.0.0.1:8080/")
    assert (env.name, env.host) == ("custom", "http://127.0.0.1:8080")
    assert env.auth_url == "http://127.0.0.1:8080/v1/auth"
    assert env.gateway_url == "http://127.0.0.1:8080/v1/gateway"


def test_custom_host_with_a_path_prefix() -> None:
    env = Environment.custom("https://proxy.example/tm/")
    assert env.gateway_url == "https://proxy.example/tm/v1/gateway"


def test_custom_naming_a_known_host_keeps_its_name() -> None:
    assert Environment.custom(PRODUCTION_HOST + "/").name == "prod"
    assert Environment.custom(UAT_HOST).name == "uat"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "api.truemarkets.co",
        "ftp://x",
        "http://",
        "https://h/v1/gateway",
        "https://h/v1/conductor/",
        "https://h/v1/auth",
        "https://h?x=1",
    ],
)
def test_custom_host_is_validated(bad: str) -> None:
    with pytest.raises(ValidationError):
        Environment.custom(bad)


def test_gateway_paths_name_the_fix() -> None:
    with pytest.raises(ValidationError, match="host root"):
        Environment.custom("https://api.truemarkets.co/v1/gateway")


def test_legacy_path_warns_once() -> None:
    with pytest.warns(DeprecationWarning, match="/v1/conductor") as record:
        env = Environment.production(legacy=True)
    assert env.gateway_url == "https://api.truemarkets.co/v1/conductor"
    assert env.auth_url == "https://api.truemarkets.co/v1/auth"  # auth does not move
    assert record[0].filename == __file__  # points at the caller, not at the SDK
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Environment.uat(legacy=True).gateway_url.endswith("/v1/conductor")
        Environment.custom("http://localhost:1", legacy=True)


def test_frozen_and_comparable() -> None:
    env = Environment.production()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        env.host = "x"  # type: ignore[misc]
    assert env == Environment.resolve(environ={})
    assert hash(env) == hash(Environment.production())


# --- resolve -------------------------------------------------------------------------------------


def test_default_is_production() -> None:
    assert Environment.resolve(environ={}) == Environment.production()


@pytest.mark.parametrize(
    ("value", "name"),
    [("prod", "prod"), ("PROD", "prod"), ("production", "prod"), (" uat ", "uat")],
)
def test_tm_env(value: str, name: str) -> None:
    assert Environment.resolve(environ={"TM_ENV": value}).name == name


def test_unknown_tm_env_names_the_allowed_values() -> None:
    with pytest.raises(ValidationError, match=r"TM_ENV: must be one of prod, uat; got 'staging'"):
        Environment.resolve(environ={"TM_ENV": "staging"})
    with pytest.raises(ValidationError, match=r"env: must be one of prod, uat; got 'dev'"):
        Environment.resolve("dev")


def test_tm_base_url_overrides_the_host() -> None:
    env = Environment.resolve(environ={"TM_ENV": "uat", "TM_BASE_URL": "http://localhost:8080/"})
    assert (env.name, env.host) == ("custom", "http://localhost:8080")
    with pytest.raises(ValidationError, match="TM_BASE_URL"):
        Environment.resolve(environ={"TM_BASE_URL": "localhost:8080"})
    with pytest.raises(ValidationError, match="TM_ENV"):  # a typo is refused even then
        Environment.resolve(environ={"TM_ENV": "uta", "TM_BASE_URL": "http://localhost:8080"})


def test_arguments_win_over_the_environment() -> None:
    environ = {"TM_ENV": "uat", "TM_BASE_URL": "http://localhost:8080"}
    assert Environment.resolve("prod", environ=environ) == Environment.production()
    assert Environment.resolve(base_url="http://127.0.0.1:9", environ=environ).host == (
        "http://127.0.0.1:9"
    )
    assert Environment.resolve(env="uat", base_url="http://h:1", environ={}).host == "http://h:1"
    env = Environment.uat()
    assert Environment.resolve(env, environ=environ) is env


def test_resolve_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TM_ENV", "uat")
    monkeypatch.delenv("TM_BASE_URL", raising=False)
    assert Environment.resolve().name == "uat"


def test_resolve_legacy() -> None:
    with pytest.warns(DeprecationWarning):
        env = Environment.resolve("uat", legacy=True)
    assert env.gateway_url == "https://api.uat.truemarkets.co/v1/conductor"
    assert Environment.resolve(env, legacy=False).gateway_url.endswith("/v1/gateway")
    assert Environment.resolve(env, legacy=None) is env
    assert Environment.resolve(environ={"TM_BASE_URL": "http://h:1"}, legacy=True).gateway_url == (
        "http://h:1/v1/conductor"
    )


def test_environment_object_with_base_url_is_ambiguous() -> None:
    with pytest.raises(ValidationError, match="base_url"):
        Environment.resolve(Environment.production(), base_url="http://h:1")


# --- one host, many spellings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "https://API.TrueMarkets.co",
        "HTTPS://api.truemarkets.co/",
        "https://api.truemarkets.co:443",
        "https://api.truemarkets.co.",
        "https://Api.TrueMarkets.CO.:443/",
    ],
)
def test_every_spelling_of_production_is_production(spelling: str) -> None:
    env = Environment.custom(spelling)
    assert (env.name, env.host) == ("prod", PRODUCTION_HOST)
    assert env == Environment.production()
    assert Environment.resolve(base_url=spelling).name == "prod"
    assert Environment.resolve(environ={"TM_BASE_URL": spelling}).name == "prod"
    assert Environment("custom", spelling).name == "prod"


@pytest.mark.parametrize(
    "spelling",
    ["https://API.UAT.truemarkets.co", "https://api.uat.truemarkets.co:443/", UAT_HOST + "."],
)
def test_every_spelling_of_uat_is_uat(spelling: str) -> None:
    assert Environment.custom(spelling) == Environment.uat()


@pytest.mark.parametrize(
    ("spelling", "host"),
    [
        ("https://api.truemarkets.co:8443", "https://api.truemarkets.co:8443"),
        ("http://api.truemarkets.co:443", "http://api.truemarkets.co:443"),
        ("http://LocalHost:80/", "http://localhost"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://Proxy.Example/TM/", "https://proxy.example/TM"),  # paths keep their case
    ],
)
def test_other_hosts_are_normalised_but_stay_custom(spelling: str, host: str) -> None:
    env = Environment.custom(spelling)
    assert (env.name, env.host) == ("custom", host)


@pytest.mark.parametrize(
    "url",
    [
        "https://user:s3cr3t-pw@api.truemarkets.co",
        "https://s3cr3t-pw@api.truemarkets.co",
        "https://:s3cr3t-pw@localhost:8080",
        "ftp://user:s3cr3t-pw@h",
    ],
)
def test_user_info_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ValidationError, match="user name or password") as info:
        Environment.custom(url)
    assert "s3cr3t-pw" not in str(info.value) and "s3cr3t-pw" not in repr(info.value)
    with pytest.raises(ValidationError, match="TM_BASE_URL") as info:
        Environment.resolve(environ={"TM_BASE_URL": url})
    assert "s3cr3t-pw" not in str(info.value)


@pytest.mark.parametrize("bad", ["https://h:abc", "https://h:99999", "https://./"])
def test_bad_ports_and_empty_host_names_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        Environment.custom(bad)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.3.2.1", True),
        ("http://localhost:1", True),
        ("http://LOCALHOST.", True),
        ("http://[::1]:8080", True),
        ("http://[::ffff:127.0.0.1]", True),
        ("http://128.0.0.1", False),
        ("http://10.0.0.1", False),
        ("http://localhost.example", False),
        ("http://mylocalhost", False),
        ("http://[::2]", False),
        (PRODUCTION_HOST, False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert Environment.custom(host).is_loopback is loopback


# --- the legacy warning ------------------------------------------------------------------------


def test_a_silenced_legacy_warning_does_not_use_up_the_once() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # what the CLI does
        Environment.production(legacy=True)
    with pytest.warns(DeprecationWarning, match="/v1/conductor") as record:
        Environment.uat(legacy=True)
    assert len(record) == 1 and record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Environment.uat(legacy=True)  # shown once: not again


def test_legacy_warning_under_the_error_filter_raises_and_is_not_used_up() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DeprecationWarning):
            Environment.production(legacy=True)
    with pytest.warns(DeprecationWarning):
        Environment.production(legacy=True)


def test_other_warnings_raised_meanwhile_are_not_swallowed() -> None:
    import threading

    real_stacklevel = environments._caller_stacklevel

    def other_warning() -> None:
        warnings.warn("other", UserWarning, stacklevel=1)

    def noisy_stacklevel() -> int:
        # Another warning emitted while ours is being recorded must still reach the caller.
        thread = threading.Thread(target=other_warning)
        thread.start()
        thread.join()
        return real_stacklevel()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(environments, "_caller_stacklevel", noisy_stacklevel)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            Environment.production(legacy=True)
        seen = [str(item.message) for item in caught]
    assert "other" in seen and any("/v1/conductor" in text for text in seen)


MALFORMED = [
    "http://[::1", "http://[zz]", "http://exa mple.com", "http://host\r\nX-Evil: 1",
    "http://ex\x00.com", "http://\ud800.com", "http://host/pa th", "http://host/p\x7f",
    "http://host:8080:90", "http://a..b", "http://exa\u200bmple.com", "http://" + "a" * 2050,
    "http://xn--a\u00e4.com",
]  # fmt: skip


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_base_urls_are_typed_errors(bad: str) -> None:
    with pytest.raises(ValidationError) as info:
        Environment.custom(bad)
    assert info.value.field == "base_url"
    with pytest.raises(ValidationError, match="TM_BASE_URL"):
        Environment.resolve(environ={"TM_BASE_URL": bad})
    with pytest.raises(ValidationError):
        Environment("custom", bad)


def test_idn_and_ipv6_hosts_are_accepted() -> None:
    assert Environment.custom("http://exämple.com").host == "http://exämple.com"
    assert Environment.custom("http://[::1]:8080/").host == "http://[::1]:8080"
