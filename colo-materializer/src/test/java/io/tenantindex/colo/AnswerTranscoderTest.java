package io.tenantindex.colo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tenantindex.colo.IndexReplica.EncodedEntry;
import io.tenantindex.schemas.TenantMetadata;
import io.tenantindex.schemas.TenantRegistration;
import io.tenantindex.schemas.Tier;
import io.tenantindex.schemas.registry.InMemorySchemaRegistry;
import io.tenantindex.schemas.serde.ConfluentAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AnswerTranscoderTest {
    private static final String TOPIC = "tenant-index";
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(11);
    private final ConfluentAvroSerializer<TenantRegistration> serializer = new ConfluentAvroSerializer<>(registry, true, false);
    private final AnswerTranscoder transcoder = new AnswerTranscoder(registry);

    @Test
    void readsTheLayoutOfTheGeneratedClass() {
        assertThat(SchemaNormalization.toParsingForm(TenantRegistration.getClassSchema()))
                .as("the schema changed: update AnswerTranscoder's reading and LAYOUT").isEqualTo(AnswerTranscoder.LAYOUT);
        assertThat(AnswerTranscoder.CLASS_HAS_LAYOUT).isTrue();
    }

    @ParameterizedTest
    @MethodSource("io.tenantindex.colo.EncodedEntryTest#registrations")
    void writesTheBytesOfTheDecodedRegistrationsAnswer(TenantRegistration registration) {
        assertSameAnswer(registration);
    }

    @Test
    void writesTheBytesOfTheDecodedAnswerForAnyStrings() {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            List<String> features = new ArrayList<>();
            for (int f = random.nextInt(4); f > 0; f--) {
                features.add(randomString(random));
            }
            assertSameAnswer(TenantRegistration.newBuilder(Registrations.of("t" + i, 1 + random.nextInt(1_000)))
                    .setTenantId(randomString(random))
                    .setColoHint(random.nextBoolean() ? null : randomString(random))
                    .setRegisteredAt(random.nextLong())
                    .setUpdatedAt(random.nextInt())
                    .setMetadata(TenantMetadata.newBuilder()
                            .setTier(Tier.values()[random.nextInt(Tier.values().length)])
                            .setFeatures(features)
                            .setMaxConnections(random.nextBoolean() ? null : random.nextInt())
                            .setRegion(random.nextBoolean() ? null : randomString(random))
                            .build())
                    .build());
        }
    }

    @Test
    void leavesToTheDecoderWhatItCannotReadExactly() {
        byte[] good = serializer.serialize(TOPIC, Registrations.of("acme", 3));
        assertThat(transcoder.transcode(good)).isNotNull();

        assertThat(transcoder.transcode(Arrays.copyOf(good, good.length - 3))).as("truncated").isNull();
        assertThat(transcoder.transcode(Arrays.copyOf(good, good.length + 1))).as("trailing bytes").isNull();
        byte[] badMagic = good.clone();
        badMagic[0] = 1;
        assertThat(transcoder.transcode(badMagic)).isNull();
        byte[] unknownId = good.clone();
        unknownId[4] = 99;
        assertThat(transcoder.transcode(unknownId)).as("an id the registry does not know").isNull();
        assertThat(transcoder.transcode(Arrays.copyOf(good, 3))).as("shorter than the header").isNull();

        // "acme" is the first string: its length byte, then its four bytes.
        int tenantId = 6;
        assertThat(new String(good, tenantId, 4, StandardCharsets.US_ASCII)).isEqualTo("acme");
        for (byte[] notUtf8 : List.of(new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xC0, (byte) 0x80},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xE2, (byte) 0x82})) {
            byte[] patched = good.clone();
            System.arraycopy(notUtf8, 0, patched, tenantId, notUtf8.length);
            assertThat(transcoder.transcode(patched)).as("not UTF-8: %s", Arrays.toString(notUtf8)).isNull();
        }
    }

    @Test
    void leavesValuesOfAnotherWriterSchemaToTheDecoder() {
        Schema v2 = SchemaBuilder.record("TenantRegistration").namespace("io.tenantindex.schemas").fields()
                .requiredString("tenantId").requiredString("doId").optionalString("coloHint")
                .requiredLong("version").requiredLong("registeredAt").requiredLong("updatedAt")
                .name("metadata").type(TenantMetadata.getClassSchema()).noDefault()
                .name("weight").type().longType().longDefault(0)
                .endRecord();
        TenantRegistration acme = Registrations.of("acme", 3);
        GenericRecord record = new GenericData.Record(v2);
        for (Schema.Field field : TenantRegistration.getClassSchema().getFields()) {
            record.put(field.name(), acme.get(field.name()));
        }
        record.put("weight", 7L);
        byte[] written = new ConfluentAvroSerializer<GenericRecord>(registry, true, false).serialize(TOPIC, record);

        assertThat(transcoder.transcode(written)).isNull();
        IndexRecord decoded = new IndexRecordSerde(registry).deserializer().deserialize(TOPIC, written);
        assertThat(decoded.registration()).isEqualTo(acme);
    }

    private void assertSameAnswer(TenantRegistration registration) {
        EncodedEntry expected = EncodedEntry.of(registration);

        EncodedEntry transcoded = transcoder.transcode(serializer.serialize(TOPIC, registration));

        assertThat(transcoded).as("transcoded %s", registration).isNotNull();
        assertThat(new String(transcoded.json(), StandardCharsets.UTF_8)).isEqualTo(new String(expected.json(), StandardCharsets.UTF_8));
        assertThat(transcoded.json()).isEqualTo(expected.json());
        assertThat(transcoded.version()).isEqualTo(registration.getVersion());
    }

    /** Every ASCII character (controls, quote and backslash included), and two-, three- and four-byte UTF-8. */
    private static String randomString(Random random) {
        String[] wide = {"ü", "€", "\u2028", "漢", "😀", "\uFFFD"};
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(12); n > 0; n--) {
            if (random.nextInt(4) == 0) {
                s.append(wide[random.nextInt(wide.length)]);
            } else {
                s.append((char) random.nextInt(0x80));
            }
        }
        return s.toString();
    }
}
