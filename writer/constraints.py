"""Logits processors that keep a local model on the record while it writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from transformers import LogitsProcessor, PreTrainedTokenizerBase

_BANNED = float("-inf")


class RecordNumbers(LogitsProcessor):
    """Digits may only spell numbers the record states.

    The tokenizer writes numbers digit by digit, so a number being written is a prefix of
    the digits: a digit is allowed when the prefix it extends still leads to a record number,
    and a started number must be finished before any other token.
    """

    def __init__(
        self,
        tokenizer: PreTrainedTokenizerBase,
        numbers_per_row: Sequence[Iterable[str] | None],
        prompt_length: int,
    ) -> None:
        self._rows = [None if numbers is None else set(numbers) for numbers in numbers_per_row]
        self._prompt_length = prompt_length
        self._digit_tokens: dict[int, str] = {}
        self._point_tokens: list[int] = []
        for token, token_id in tokenizer.get_vocab().items():
            text = tokenizer.convert_tokens_to_string([token])
            if any(char.isnumeric() for char in text):  # digits, ¼, Ⅻ, 五 …
                self._digit_tokens[token_id] = text
            elif text == ".":
                self._point_tokens.append(token_id)
        self._tokenizer = tokenizer

    def _open_number(self, generated: Sequence[int]) -> str:
        """The number being written at the end of `generated` ('' when none)."""
        tail = ""
        for token_id in reversed(generated):
            text = self._digit_tokens.get(token_id)
            if text is None and token_id in self._point_tokens:
                text = "."
            if text is None or not all(char.isdigit() or char == "." for char in text):
                break
            tail = text + tail
        return tail

    def allowed_digits(self, open_number: str, prefixes: set[str]) -> list[int]:
        return [
            token_id
            for token_id, text in self._digit_tokens.items()
            if (open_number + text) in prefixes
        ]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row, ids in enumerate(input_ids.tolist()):
            numbers = self._rows[row % len(self._rows)]
            if numbers is None:
                continue
            prefixes = {number[:end] for number in numbers for end in range(1, len(number) + 1)}
            open_number = self._open_number(ids[self._prompt_length :])
            mask = torch.zeros_like(scores[row], dtype=torch.bool)
            mask[list(self._digit_tokens)] = True  # every digit token banned unless allowed below
            mask[self.allowed_digits(open_number, prefixes)] = False
            if open_number and open_number not in numbers:
                # an unfinished number: only its continuation may follow
                keep = torch.zeros_like(mask)
                keep[self.allowed_digits(open_number, prefixes)] = True
                points = [t for t in self._point_tokens if (open_number + ".") in prefixes]
                keep[points] = True
                mask = ~keep if keep.any() else mask
            scores[row] = scores[row].masked_fill(mask, _BANNED)
        return scores


class BannedPhrases(LogitsProcessor):
    """Bans token sequences (claims that failed the check before), wherever they would start."""

    def __init__(
        self, tokenizer: PreTrainedTokenizerBase, phrases_per_row: Sequence[Iterable[str]]
    ) -> None:
        self._rows = [self._sequences(tokenizer, phrases) for phrases in phrases_per_row]

    @staticmethod
    def _sequences(
        tokenizer: PreTrainedTokenizerBase, phrases: Iterable[str]
    ) -> list[tuple[int, ...]]:
        sequences: set[tuple[int, ...]] = set()
        for phrase in phrases:
            for variant in (phrase, f" {phrase}", phrase.lower(), f" {phrase.lower()}"):
                ids = tuple(tokenizer.encode(variant, add_special_tokens=False))
                if ids:
                    sequences.add(ids)
        return sorted(sequences)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        for row, ids in enumerate(input_ids.tolist()):
            for sequence in self._rows[row % len(self._rows)]:
                head = list(sequence[:-1])
                if not head or ids[-len(head) :] == head:
                    scores[row, sequence[-1]] = _BANNED
        return scores
