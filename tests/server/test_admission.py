"""The one gate both query engines admit queries through (``server/admission.py``)."""

from __future__ import annotations

import threading

import pytest

from ifrc_kg.server.admission import Admission, EngineBusy, TooManyClientQueries


def test_a_client_at_its_share_is_refused_at_once_and_others_are_admitted() -> None:
    gate = Admission(slots=3, per_client=2, queue_wait_s=60)
    gate.admit("a")
    gate.admit("a")
    with pytest.raises(TooManyClientQueries, match="already runs 2 queries"):
        gate.admit("a")  # would wait a minute if it waited for a slot
    gate.admit("b")
    assert gate.running == 3
    gate.release("a")
    gate.admit("a")
    assert gate.running == 3


def test_every_slot_taken_waits_then_is_busy() -> None:
    gate = Admission(slots=1, per_client=5, queue_wait_s=0.05)
    gate.admit("a")
    with pytest.raises(EngineBusy, match="every query slot is busy"):
        gate.admit("b")
    assert gate.running == 1


def test_a_slot_freed_while_waiting_admits_the_waiting_query() -> None:
    gate = Admission(slots=1, per_client=5, queue_wait_s=60)
    gate.admit("a")
    admitted = threading.Event()

    def wait_for_a_slot() -> None:
        gate.admit("b")
        admitted.set()

    waiting = threading.Thread(target=wait_for_a_slot)
    waiting.start()
    assert not admitted.wait(0.1)  # still waiting: the one slot is taken
    gate.release("a")
    waiting.join(timeout=30)
    assert admitted.is_set()
    assert gate.running == 1


def test_closing_wakes_the_waiting_and_refuses_the_rest() -> None:
    gate = Admission(slots=1, per_client=5, queue_wait_s=60)
    gate.admit("a")
    outcome: list[type] = []

    def wait_for_a_slot() -> None:
        try:
            gate.admit("b")
        except EngineBusy as error:
            outcome.append(type(error))

    waiting = threading.Thread(target=wait_for_a_slot)
    waiting.start()
    gate.close()
    waiting.join(timeout=30)
    assert outcome == [EngineBusy]
    gate.release("a")
    with pytest.raises(EngineBusy):
        gate.admit("c")
