#!/usr/bin/python3
"""Confluent's own Python implementation on the other side of tenant-index's wire format and registry.

Driven by ConfluentPythonInteropIT; needs Debian's python3-confluent-kafka, python3-requests and
python3-avro, run with /usr/bin/python3. The REST calls go through
confluent_kafka.schema_registry.SchemaRegistryClient; the wire format is Confluent's
confluent_kafka.avro MessageSerializer (Debian has no fastavro, so it encodes with python3-avro).

  consume --bootstrap B --registry URL --topic T --count N
      Reads N records from every partition of T, decodes them with Confluent's deserializer and
      prints one JSON line per record, then a summary line. Fails if a record's schema id is not
      the id registered as the latest version of T-value.
  produce --bootstrap B --registry URL --topic T --schema FILE --count N
      Registers FILE under T-value, produces N records framed by Confluent's serializer and prints
      {"schema_id": ..., "version": ...}.
  refs-produce --bootstrap B --registry URL --topic T --schema ADDRESS --schema2 CUSTOMER --count N
      Registers ADDRESS under T-address and CUSTOMER, which names ADDRESS's record without defining
      it, under T-value with a schema reference to it; produces N customer(i) records encoded with
      python3-avro against the resolved schema (Debian has no fastavro for Confluent's new
      AvroSerializer, and the legacy one cannot resolve references) and prints their ids.
  refs-consume --bootstrap B --registry URL --topic T --count N
      Reads N records, resolves each writer schema's references through SchemaRegistryClient and
      decodes them with python3-avro; prints one JSON line per record.
  client --registry URL --subject S --schema FILE --schema2 FILE
      Calls every method of Confluent's SchemaRegistryClient on subject S (FILE, then the
      compatible FILE2: registering, reading, compatibility, config, soft and permanent deletes)
      and prints one JSON line per call: {"step": name, "result": ...} or {"step": name,
      "error": {"http": status, "code": error_code, "message": ...}}.
"""
import argparse
import io
import json
import struct
import sys
import time

import avro.io
import avro.schema

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def records(args):
    """Yields (message, schema id) for args.count records from every partition of args.topic."""
    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": "interop-" + args.topic,
        "enable.auto.commit": False,
    })
    metadata = consumer.list_topics(args.topic, timeout=30)
    partitions = sorted(metadata.topics[args.topic].partitions)
    consumer.assign([TopicPartition(args.topic, p, OFFSET_BEGINNING) for p in partitions])
    seen = 0
    deadline = time.monotonic() + args.timeout
    while seen < args.count:
        if time.monotonic() > deadline:
            fail("read %d of %d records from %s before the timeout" % (seen, args.count, args.topic))
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            fail("consumer error: %s" % msg.error())
        magic, schema_id = struct.unpack(">bI", msg.value()[:5])
        if magic != 0:
            fail("offset %d: magic byte %d" % (msg.offset(), magic))
        yield msg, schema_id
        seen += 1
    consumer.close()


def consume(args):
    subject = args.topic + "-value"
    registry = SchemaRegistryClient({"url": args.registry})
    latest = registry.get_latest_version(subject)
    serde = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))

    for msg, schema_id in records(args):
        raw = msg.value()
        if schema_id != latest.schema_id:
            fail("offset %d: schema id %d, but %s's latest is id %d" % (msg.offset(), schema_id, subject, latest.schema_id))
        value = serde.decode_message(raw)
        print(json.dumps({
            "key": msg.key().decode("utf-8"),
            "partition": msg.partition(),
            "offset": msg.offset(),
            "schema_id": schema_id,
            "value": value,
        }, sort_keys=True))
    # The writer schema as Confluent's client reads it back by id.
    fetched = registry.get_schema(latest.schema_id)
    print(json.dumps({"summary": True, "latest_id": latest.schema_id, "latest_version": latest.version,
                      "schema_type": fetched.schema_type, "schema": json.loads(fetched.schema_str)}))


def record(i, with_labels):
    r = {
        "tenantId": "py-%d" % i,
        "doId": "%064x" % (i * 7919),
        "coloHint": None if i % 2 == 0 else "AMS",
        "version": 10 + i,
        "registeredAt": 1700000000000 + i,
        "updatedAt": 1700000005000 + i,
        "metadata": {
            "tier": "enterprise",
            "features": ["ws", "f%d" % i],
            "maxConnections": None if i % 3 == 0 else 1000 + i,
            "region": "eu",
        },
    }
    if with_labels:
        r["labels"] = {"source": "python", "n": str(i)}
    return r


def produce(args):
    subject = args.topic + "-value"
    with open(args.schema, encoding="utf-8") as f:
        schema_str = f.read()
    registry = SchemaRegistryClient({"url": args.registry})
    schema = Schema(schema_str, "AVRO")
    schema_id = registry.register_schema(subject, schema)
    registered = registry.lookup_schema(subject, schema)
    if registered.schema_id != schema_id:
        fail("register said id %d, lookup says %d" % (schema_id, registered.schema_id))
    with_labels = any(f["name"] == "labels" for f in json.loads(schema_str)["fields"])

    serde = MessageSerializer(CachedSchemaRegistryClient({"url": args.registry}))
    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True})
    errors = []
    for i in range(args.count):
        r = record(i, with_labels)
        value = serde.encode_record_with_schema_id(schema_id, r)
        producer.produce(args.topic, key=r["tenantId"].encode("utf-8"), value=value,
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
    if producer.flush(args.timeout) != 0 or errors:
        fail("not every record was delivered: %s" % errors)
    print(json.dumps({"schema_id": schema_id, "version": registered.version, "count": args.count}))


def customer(i):
    return {"name": "c%d" % i, "home": {"city": "city%d" % i, "zip": 1000 + i},
            "work": None if i % 2 == 0 else {"city": "work%d" % i, "zip": 2000 + i}}


def resolve(registry, schema, names):
    """The avro schema of a registered Schema, its references parsed first into names."""
    for ref in schema.references:
        ref = ref if isinstance(ref, dict) else {"name": ref.name, "subject": ref.subject, "version": ref.version}
        if names.has_name(ref["name"], None):
            continue
        resolve(registry, registry.get_version(ref["subject"], ref["version"]).schema, names)
    return avro.schema.make_avsc_object(json.loads(schema.schema_str), names)


def refs_produce(args):
    registry = SchemaRegistryClient({"url": args.registry})
    with open(args.schema, encoding="utf-8") as f:
        address = Schema(f.read(), "AVRO")
    with open(args.schema2, encoding="utf-8") as f:
        customer_text = f.read()
    address_subject = args.topic + "-address"
    address_id = registry.register_schema(address_subject, address)
    address_version = registry.lookup_schema(address_subject, address).version
    name = json.loads(address.schema_str)
    name = name["namespace"] + "." + name["name"]
    schema = Schema(customer_text, "AVRO", [SchemaReference(name, address_subject, address_version)])
    schema_id = registry.register_schema(args.topic + "-value", schema)
    fetched = SchemaRegistryClient({"url": args.registry}).get_schema(schema_id)
    writer = resolve(registry, fetched, avro.schema.Names())

    producer = Producer({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True})
    errors = []
    for i in range(args.count):
        out = io.BytesIO()
        out.write(struct.pack(">bI", 0, schema_id))
        avro.io.DatumWriter(writer).write(customer(i), avro.io.BinaryEncoder(out))
        producer.produce(args.topic, key=("c%d" % i).encode("utf-8"), value=out.getvalue(),
                         on_delivery=lambda err, msg: errors.append(err) if err else None)
    if producer.flush(args.timeout) != 0 or errors:
        fail("not every record was delivered: %s" % errors)
    print(json.dumps({"schema_id": schema_id, "address_id": address_id, "address_version": address_version,
                      "references": [dict(r) if isinstance(r, dict) else vars(r) for r in fetched.references]}))


def refs_consume(args):
    registry = SchemaRegistryClient({"url": args.registry})
    readers = {}
    for msg, schema_id in records(args):
        if schema_id not in readers:
            readers[schema_id] = avro.io.DatumReader(resolve(registry, registry.get_schema(schema_id), avro.schema.Names()))
        value = readers[schema_id].read(avro.io.BinaryDecoder(io.BytesIO(msg.value()[5:])))
        print(json.dumps({"key": msg.key().decode("utf-8"), "schema_id": schema_id, "value": value}, sort_keys=True))


def registered(r):
    return {"schema_id": r.schema_id, "subject": r.subject, "version": r.version,
            "schema_type": r.schema.schema_type, "schema": json.loads(r.schema.schema_str)}


def client(args):
    s = args.subject
    with open(args.schema, encoding="utf-8") as f:
        v1 = Schema(f.read(), "AVRO")
    with open(args.schema2, encoding="utf-8") as f:
        v2 = Schema(f.read(), "AVRO")
    registry = SchemaRegistryClient({"url": args.registry})
    results = {}

    def step(name, call):
        try:
            results[name] = call()
            line = {"step": name, "result": results[name]}
        except SchemaRegistryError as e:
            line = {"step": name, "error": {"http": e.http_status_code, "code": e.error_code, "message": e.error_message}}
        print(json.dumps(line, sort_keys=True))

    def schema_by_id(schema_id):
        fetched = SchemaRegistryClient({"url": args.registry}).get_schema(schema_id)
        return {"schema_type": fetched.schema_type, "schema": json.loads(fetched.schema_str),
                "references": list(fetched.references)}

    step("register_schema", lambda: registry.register_schema(s, v1))
    step("get_schema", lambda: schema_by_id(results["register_schema"]))
    step("lookup_schema", lambda: registered(registry.lookup_schema(s, v1)))
    step("lookup_schema_unknown", lambda: registered(registry.lookup_schema(s, v2)))
    step("test_compatibility", lambda: registry.test_compatibility(s, v2))
    step("test_compatibility_version", lambda: registry.test_compatibility(s, v2, 1))
    step("test_compatibility_unknown_version", lambda: registry.test_compatibility(s, v2, 7))
    step("register_schema_v2", lambda: registry.register_schema(s, v2))
    step("get_subjects", registry.get_subjects)
    step("get_versions", lambda: registry.get_versions(s))
    step("get_latest_version", lambda: registered(registry.get_latest_version(s)))
    step("get_version", lambda: registered(registry.get_version(s, 1)))
    step("get_version_unknown", lambda: registered(registry.get_version(s, 9)))
    step("get_compatibility_unset", lambda: registry.get_compatibility(s))
    step("set_compatibility", lambda: registry.set_compatibility(s, "full"))
    step("get_compatibility", lambda: registry.get_compatibility(s))
    step("set_compatibility_invalid", lambda: registry.set_compatibility(s, "sideways"))
    step("set_compatibility_global", lambda: registry.set_compatibility(level="backward"))
    step("get_compatibility_global", registry.get_compatibility)
    step("delete_version", lambda: registry.delete_version(s, 1))
    step("get_versions_after_delete_version", lambda: registry.get_versions(s))
    step("get_deleted_version", lambda: registered(registry.get_version(s, 1)))
    step("get_schema_of_deleted_version", lambda: schema_by_id(results["register_schema"]))
    step("delete_version_again", lambda: registry.delete_version(s, 1))
    step("delete_subject", lambda: registry.delete_subject(s))
    step("get_versions_after_delete_subject", lambda: registry.get_versions(s))
    step("delete_subject_again", lambda: registry.delete_subject(s))
    # A new client: the first one's cache would answer the registration without asking.
    step("register_schema_after_delete", lambda: SchemaRegistryClient({"url": args.registry}).register_schema(s, v2))
    step("get_versions_after_register_again", lambda: registry.get_versions(s))
    step("delete_subject_permanent", lambda: registry.delete_subject(s, permanent=True))
    step("get_subjects_after_permanent_delete", registry.get_subjects)
    step("get_latest_version_after_permanent_delete", lambda: registered(registry.get_latest_version(s)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["consume", "produce", "client", "refs-produce", "refs-consume"])
    parser.add_argument("--bootstrap")
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic")
    parser.add_argument("--count", type=int)
    parser.add_argument("--subject")
    parser.add_argument("--schema")
    parser.add_argument("--schema2")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    if args.command == "client":
        client(args)
    elif args.command == "refs-produce":
        refs_produce(args)
    elif args.command == "refs-consume":
        refs_consume(args)
    elif args.command == "consume":
        consume(args)
    else:
        if not args.schema:
            fail("produce needs --schema")
        produce(args)


if __name__ == "__main__":
    main()
