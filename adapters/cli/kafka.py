"""`qi relay`, `qi consume` and `qi contracts`: the Kafka edge and the event contracts."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import _configured, _kafka_settings, _stop_on_signals, console
from adapters.kafka import consumer
from adapters.kafka.publisher import KafkaPublisher
from engine.application import QIEngine
from engine.relay import Relay
from engine.settings import Settings


def relay(
    once: Annotated[bool, typer.Option(help="deliver what is stored, then exit")] = False,
    interval: Annotated[float, typer.Option(help="seconds between polls when idle")] = 0.2,
) -> None:
    """Relay every stored event to Kafka, in order per collaborative, at least once."""
    settings = _kafka_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    relay = Relay(_configured(lambda: QIEngine(settings)), KafkaPublisher(settings))
    target = f"{settings.kafka_topic} at {settings.kafka_bootstrap}"
    if not once:
        status = relay.status()
        console.print(
            f"relaying to {target} from position {status.position}, {status.lag} waiting (Ctrl-C stops)"
        )
        relay.run(_stop_on_signals(), interval)
        return
    try:
        relay.acquire(_stop_on_signals())
        sent = relay.catch_up()
    finally:
        relay.close()
    console.print(f"relayed {sent} events to {target}; {relay.status().lag} waiting")


def contracts(
    out: Annotated[Path, typer.Option(help="folder to write the contracts into")] = Path("contracts"),
) -> None:
    """Write the events' JSON Schema and the AsyncAPI document, generated from the code."""
    from adapters.contracts import write_contracts

    for path in write_contracts(Settings(), out):
        console.print(f"wrote {path}")


def consume(
    group: Annotated[str, typer.Option(help="the consumer group to join")] = "qi-example",
    stop_when_idle: Annotated[
        float | None, typer.Option(help="exit after this many quiet seconds once events arrived")
    ] = None,
) -> None:
    """Example consumer: join a group, print each event once (deduplicated by ce_id)."""

    def show(event: consumer.Received) -> None:
        h = event.headers
        typer.echo(f"{h['ce_time']}  {h['ce_type']:<34} key={event.key}  id={event.id}")

    done = consumer.consume(_kafka_settings(), group, show, _stop_on_signals(), stop_when_idle)
    typer.echo(f"{done.handled} events, {done.duplicates} duplicates hidden", err=True)
