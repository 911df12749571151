package io.tessera.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The container fields of a job spec: image, per-vendor and per-chip variants, and their checks. */
class ContainerSpecTest {
    private static final ChipCatalog CATALOG = ChipCatalog.builtIn();
    private final JobSpecParser parser = new JobSpecParser(CATALOG);

    private static final String BASE = """
            name: mixed
            command: [python3, train.py]
            env: {WANDB_MODE: offline, SHARED: job}
            shards: {min: 2, max: 8}
            model: {parameters: 1B, tokensPerSample: 512}
            globalBatch: 64
            precisions: [bf16]
            """;

    private JobSpec yaml(String text) {
        return parser.parse(text.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    private List<String> errors(JobSpecParser p, String text) {
        try {
            p.parse(text.getBytes(StandardCharsets.UTF_8), "application/yaml");
        } catch (ValidationException e) {
            return e.errors().stream().map(er -> er.field() + ": " + er.message()).toList();
        }
        throw new AssertionError("expected validation errors for: " + text);
    }

    private static ChipType chip(String id) {
        return CATALOG.byId(id).orElseThrow();
    }

    @Test
    void eachShardRunsItsChipTypesVariantElseItsVendorsElseTheJobs() {
        JobSpec spec = yaml(BASE + """
                image: registry.example/train:base
                variants:
                  huawei: {image: "registry.example/train:cann8-torch2.4-npu", env: {SHARED: npu, HCCL_BUFFSIZE: "120"}}
                  nvidia: {image: "registry.example/train:cuda12.4-torch2.4"}
                  nvidia-h20: {image: "registry.example/train:cuda12.4-h20", args: [--h20]}
                """);
        EffectiveWorker npu = spec.workerFor(chip("ascend-910b"));
        assertThat(npu.image()).isEqualTo("registry.example/train:cann8-torch2.4-npu");
        assertThat(npu.argv()).containsExactly("python3", "train.py");
        assertThat(npu.env()).containsEntry("SHARED", "npu").containsEntry("HCCL_BUFFSIZE", "120")
                .containsEntry("WANDB_MODE", "offline");
        assertThat(npu.variant()).isEqualTo("huawei");
        assertThat(spec.workerFor(chip("nvidia-h100")).image()).isEqualTo("registry.example/train:cuda12.4-torch2.4");
        EffectiveWorker h20 = spec.workerFor(chip("nvidia-h20"));
        assertThat(h20.image()).isEqualTo("registry.example/train:cuda12.4-h20");
        assertThat(h20.argv()).containsExactly("python3", "train.py", "--h20");
        assertThat(h20.env()).containsEntry("SHARED", "job");
        assertThat(h20.variant()).isEqualTo("nvidia-h20");
        EffectiveWorker acme = spec.workerFor(chip("acme-tpx1"));
        assertThat(acme.image()).isEqualTo("registry.example/train:base");
        assertThat(acme.variant()).isNull();
        assertThat(spec.usesImages()).isTrue();
    }

    @Test
    void theShippedTwoVariantExampleIsValid() throws Exception {
        JobSpec spec = parser.parse(Files.readAllBytes(Path.of("../examples/containers/two-variants.yaml")),
                "application/yaml");
        assertThat(spec.workerFor(chip("ascend-910b")).image()).isEqualTo("registry.example/train:cann8-torch2.4-npu");
        assertThat(spec.workerFor(chip("nvidia-h20")).image()).isEqualTo("registry.example/train:cuda12.4-torch2.4");
        assertThat(spec.workerFor(chip("acme-tpx1")).image()).as("no variant, no job image: a host process").isNull();
    }

    @Test
    void aJobWithoutImagesRunsHostProcessesAsBefore() {
        JobSpec spec = yaml(BASE + "secretEnv: {TOKEN: s3cret}\n");
        EffectiveWorker w = spec.workerFor(chip("nvidia-h100"));
        assertThat(w.image()).isNull();
        assertThat(w.argv()).isEqualTo(spec.argv());
        assertThat(w.env()).isEqualTo(spec.workerEnv());
        assertThat(spec.usesImages()).isFalse();
    }

    @Test
    void aVariantMayRunAnotherCommandWithoutAnImage() {
        JobSpec spec = yaml(BASE + "variants:\n  huawei: {command: [python3, train_npu.py]}\n");
        assertThat(spec.workerFor(chip("ascend-910c")).argv()).containsExactly("python3", "train_npu.py");
        assertThat(spec.usesImages()).isFalse();
    }

    @Test
    void badVariantsAndImagesAreRefusedNamingTheField() {
        List<String> errors = errors(parser, BASE + """
                chipTypes: [nvidia-h20, ascend-910b]
                image: "Registry.example/UPPER case"
                variants:
                  intel: {image: "intel/train:1"}
                  nvidia-h100: {image: "a/b:1"}
                  huawei: {image: "ok/train:1", env: {RANK: "3"}, extra: 1}
                  acme: {image: "ok/train:2"}
                  nvidia: {}
                """);
        assertThat(errors).anyMatch(e -> e.startsWith("image: is not an OCI image reference"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.intel: is neither a vendor nor a chip type"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.nvidia-h100: is for chip type 'nvidia-h100', which this job's"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.huawei.env.RANK: is set by Tessera's worker contract"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.huawei.extra"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.acme: is for vendor 'acme', none of whose chip types"));
        assertThat(errors).anyMatch(e -> e.startsWith("variants.nvidia: changes nothing"));
    }

    @Test
    void imageReferencesFollowTheOciGrammar() {
        for (String ok : List.of("busybox", "localhost/tessera/train:1", "registry.example:5000/team/train:cuda12.4-torch2.4",
                "ghcr.io/org/img@sha256:" + "a".repeat(64), "quay.io/a/b:v1@sha256:" + "0".repeat(64))) {
            assertThat(ContainerSpecParser.validImage(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("", "UPPER/train", "a b", "train:", "-lead/x", "a//b", "x:" + "t".repeat(200),
                "train;rm -rf /", "--privileged", "a/b:1@sha256:short")) {
            assertThat(ContainerSpecParser.validImage(bad)).as(bad).isFalse();
        }
    }

    @Test
    void aContainerJobsEnvironmentHoldsNoLineBreaks() {
        List<String> errors = errors(parser, BASE + "image: busybox\nsecretEnv: {KEY: \"a\\nb\"}\n");
        assertThat(errors).containsExactly("secretEnv.KEY: must not contain a line break in a job that runs in containers");
        assertThat(yaml(BASE + "secretEnv: {KEY: \"a\\nb\"}\n").secretEnv()).containsEntry("KEY", "a\nb");
    }

    @Test
    void aVariantMayNotRepeatASecretVariable() {
        assertThat(errors(parser, BASE + "secretEnv: {TOKEN: x}\nvariants:\n  nvidia: {env: {TOKEN: y}}\n"))
                .containsExactly("variants.nvidia.env.TOKEN: is in secretEnv; name each variable once");
    }

    @Test
    void anAdminAllowListRefusesOtherImagesNamingTheirField() {
        JobSpecParser strict = new JobSpecParser(CATALOG, JobSpecParser.DEFAULT_MAX_ARGV_ENV_BYTES,
                List.of("registry.example/train:*", "localhost/*"));
        String job = BASE + "image: registry.example/train:base\nvariants:\n  huawei: {image: \"docker.io/evil/miner:1\"}\n"
                + "  nvidia: {image: localhost/tessera/train:1}\n";
        assertThat(errors(strict, job)).containsExactly("variants.huawei.image: image 'docker.io/evil/miner:1' is not "
                + "allowed on this cluster (containers.allowedImages); ask an admin");
        assertThat(errors(strict, BASE + "image: registry.example/other:1\n")).singleElement().asString().startsWith("image: ");
        assertThat(strict.parse((BASE + "image: registry.example/train:x\n").getBytes(StandardCharsets.UTF_8),
                "application/yaml").image()).isEqualTo("registry.example/train:x");
    }

    @Test
    void theSpecRoundTripsThroughTheDocumentAndTheStoredJson() throws Exception {
        JobSpec spec = yaml(BASE + """
                image: registry.example/train:base
                variants:
                  huawei: {image: "registry.example/train:npu", command: [python3, npu.py], args: [-v], env: {A: b}}
                  nvidia-h20: {env: {C: d}}
                """);
        ObjectMapper json = new ObjectMapper();
        assertThat(parser.parse(json.valueToTree(JobSpecDocument.of(spec)))).isEqualTo(spec);
        String stored = json.writeValueAsString(spec);
        assertThat(json.readValue(stored, JobSpec.class)).isEqualTo(spec);
        assertThat(json.readTree(stored).get("variants").get("huawei").get("image").asText()).isEqualTo("registry.example/train:npu");
        assertThat(json.readTree(json.writeValueAsString(yaml(BASE))).has("variants")).isFalse();
        assertThat(spec.variants()).containsEntry("nvidia-h20", new WorkerVariant(null, null, null, Map.of("C", "d")));
    }
}
