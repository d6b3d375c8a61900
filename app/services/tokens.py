"""CLIP token counts with the real CLIP BPE tokenizer (instant-clip-tokenizer ships the vocabulary).

The count shown is the number of BPE tokens of the text WITHOUT the start and end tokens, against a
limit of 75: CLIP's context is 77 tokens and two of them are always <|startoftext|> and <|endoftext|>,
so tokens past the 75th are cut off in training. "a photo of a cat" counts 5.

No T5 count: no installable package ships a T5 vocabulary for offline use (the tokenizers need a
model download), so CaptionForge shows only the CLIP count.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from instant_clip_tokenizer import Tokenizer
from pydantic import BaseModel, Field

CLIP_CONTEXT_LENGTH = 77
CLIP_TOKEN_LIMIT = CLIP_CONTEXT_LENGTH - 2  # without <|startoftext|> and <|endoftext|>

_lock = threading.Lock()
_tokenizer: Tokenizer | None = None


def clip_token_count(text: str | None) -> int:
    """CLIP BPE tokens in `text`, excluding the start and end tokens (0 for empty text)."""
    return _cached_count(text or "")


def clip_tokens(text: str | None) -> list[int]:
    """The CLIP token ids of `text`, without start and end tokens."""
    return list(_get_tokenizer().encode(text or ""))


class TokenCount(BaseModel):
    """A text's CLIP token count against the limit, and how many tokens past it are cut off."""

    count: int = Field(description="CLIP BPE tokens without the start/end tokens")
    limit: int = Field(description="75: CLIP's 77-token context minus start and end")
    over: int


def token_summary(text: str | None) -> TokenCount:
    """The count against the 75-token CLIP limit, and how many tokens past it."""
    count = clip_token_count(text)
    return TokenCount(count=count, limit=CLIP_TOKEN_LIMIT, over=max(0, count - CLIP_TOKEN_LIMIT))


@lru_cache(maxsize=1 << 18)  # above a 100,000-image set's distinct captions: an LRU smaller than the
# working set misses on every lookup of a sequential pass (each entry is evicted before it comes round again)
def _cached_count(text: str) -> int:
    return len(_get_tokenizer().encode(text)) if text.strip() else 0


def warm_up() -> None:
    """Load the vocabulary now (~50 ms), so the first caption opened does not wait for it."""
    _get_tokenizer()


def _get_tokenizer() -> Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = Tokenizer()
    return _tokenizer
