"""CLIP token counts from the real BPE tokenizer, checked against published CLIP token ids."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.tokens import CLIP_TOKEN_LIMIT, clip_token_count, clip_tokens, token_summary

# Ids of OpenAI CLIP's BPE vocabulary (start 49406 and end 49407 tokens removed), as published in
# independent CLIP tokenizer test suites.
KNOWN_IDS = {
    "a photo of a cat": [320, 1125, 539, 320, 2368],
    "a photo of a dog": [320, 1125, 539, 320, 1929],
    "a photo of a tree": [320, 1125, 539, 320, 2677],
    "A Photo of a TREE!": [320, 1125, 539, 320, 2677, 256],
    "it's a cat's toy, running   fast": [585, 568, 320, 2368, 568, 5988, 267, 2761, 1953],
    "2 dogs and 3 cats": [273, 3255, 537, 274, 3989],
    "hello world": [3306, 1002],
    "a diagram": [320, 22697],
    "dog on a beach": [1929, 525, 320, 2117],
    "person working at a computer": [2533, 1699, 536, 320, 11639, 652],
    "code editor with syntax highlighting": [3217, 7661, 593, 3758, 3879, 17344],
    "": [],
}


@pytest.mark.parametrize(("text", "ids"), KNOWN_IDS.items())
def test_token_ids_match_the_clip_vocabulary(text, ids):
    assert clip_tokens(text) == ids
    assert clip_token_count(text) == len(ids)


def test_counts_are_bpe_tokens_not_words():
    assert clip_token_count("a photo of a cat") == 5
    assert clip_token_count("mobileclip") == 3  # one word the vocabulary splits by merge rank
    assert clip_token_count("  DOG  ") == clip_token_count("dog") == 1  # lower-cased, whitespace cleaned
    assert clip_token_count("ohwx woman, red dress") == 5  # the comma is a token too
    assert clip_token_count(None) == 0


def test_summary_is_against_the_75_token_limit():
    assert CLIP_TOKEN_LIMIT == 75
    assert token_summary("a photo of a cat").model_dump() == {"count": 5, "limit": 75, "over": 0}
    long = "red, " * 40  # "red" and "," are one token each
    assert token_summary(long).model_dump() == {"count": 80, "limit": 75, "over": 5}


def test_counting_from_worker_threads():
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(clip_token_count("a photo of a cat")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [5, 5, 5, 5]


@given(st.text(max_size=200))
@settings(deadline=None)
def test_any_text_counts_without_error(text):
    assert clip_token_count(text) >= 0
