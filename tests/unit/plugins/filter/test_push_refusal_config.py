"""The push_refusal_config filter: every spelling of the upstream, the role's fetch rule still wins."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netai.vlm_server.plugins.filter.push_refusal_config import push_refusal_config

R = "/dev/null/NVIDIA-VSS-licence-forbids-pushing-this-clone"
UPSTREAM = "https://github.com/NVIDIA-AI-Blueprints/video-search-and-summarization.git"
BASE = "github.com/NVIDIA-AI-Blueprints/video-search-and-summarization"


def prefixes(config):
    return sorted({v for k, v in config.items() if k.endswith(".insteadOf")})


def test_every_spelling_of_a_hosted_upstream():
    config = push_refusal_config(UPSTREAM, R)
    assert config["remote.origin.pushurl"] == R
    assert prefixes(config) == sorted([
        "https://" + BASE, "http://" + BASE, "git://" + BASE, "ssh://" + BASE, "ssh://git@" + BASE,
        "github.com:NVIDIA-AI-Blueprints/video-search-and-summarization",
        "git@github.com:NVIDIA-AI-Blueprints/video-search-and-summarization",
    ])
    # insteadOf and pushInsteadOf for each, on a section of its own.
    for key, value in config.items():
        if key.endswith(".insteadOf"):
            assert config[key[: -len("insteadOf")] + "pushInsteadOf"] == value
            assert key.startswith("url." + R + "/")


@pytest.mark.parametrize("url", [
    "git@github.com:NVIDIA-AI-Blueprints/video-search-and-summarization.git",
    "ssh://git@github.com:22/NVIDIA-AI-Blueprints/video-search-and-summarization",
    "http://github.com/NVIDIA-AI-Blueprints/video-search-and-summarization/",
])
def test_any_spelling_given_gives_the_same_rules(url):
    assert set(prefixes(push_refusal_config(url, R))) >= set(prefixes(push_refusal_config(UPSTREAM, R)))


def test_another_user_is_kept():
    config = push_refusal_config("ssh://lab@git.lab.example/vss/video-search-and-summarization.git", R)
    assert "lab@git.lab.example:vss/video-search-and-summarization" in prefixes(config)
    assert "ssh://lab@git.lab.example/vss/video-search-and-summarization" in prefixes(config)


def test_a_local_upstream_as_path_and_file_url():
    for url in ("file:///srv/standin-vss.git", "/srv/standin-vss.git", "file://localhost/srv/standin-vss.git"):
        assert prefixes(push_refusal_config(url, R)) == ["/srv/standin-vss", "file:///srv/standin-vss"]


def test_the_fetch_rule_of_the_role_stays_the_longest_match():
    # Without .git the prefix equal to the URL would tie with url.<url>.insteadOf=<url>; it is kept shorter.
    url = "https://github.com/NVIDIA-AI-Blueprints/video-search-and-summarization"
    for prefix in prefixes(push_refusal_config(url, R)):
        assert not (url.startswith(prefix) and len(prefix) >= len(url))
    assert url[:-1] in prefixes(push_refusal_config(url, R))
    for prefix in prefixes(push_refusal_config(UPSTREAM, R)):
        assert len(prefix) < len(UPSTREAM)


@pytest.mark.parametrize("url, refusal", [("", R), (None, R), ("not a url", R), (UPSTREAM, "no-push"), (UPSTREAM, None)])
def test_bad_input(url, refusal):
    with pytest.raises(AnsibleFilterError):
        push_refusal_config(url, refusal)
