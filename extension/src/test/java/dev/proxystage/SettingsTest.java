package dev.proxystage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static Settings of(Map<String, String> properties) {
        return Settings.from(name -> Optional.ofNullable(properties.get(name)));
    }

    @Test
    void propertiesAreReadOnceIntoAValue() {
        Settings settings = of(Map.of(Settings.CONFIG, "p.yml", Settings.PROFILE, " offline ", Settings.STAGES, "wip, prep,wip",
                Settings.ATTACH, "true", Settings.PULL_STALL_TIMEOUT, "5", Settings.DATA_ROOT, "/data", Settings.FAULTS, "true"));

        assertThat(settings.config()).isEqualTo(Path.of("p.yml"));
        assertThat(settings.profile()).contains("offline");
        assertThat(settings.stages()).containsExactly("wip", "prep");
        assertThat(settings.attach()).isTrue();
        assertThat(settings.faults()).isTrue();
        assertThat(Settings.defaults().faults()).isFalse();
        assertThat(settings.pullStallTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.dataRoot()).isEqualTo(Path.of("/data"));
        assertThat(settings.engine()).isEqualTo("docker");
        assertThat(settings.stage()).isEmpty();
        assertThat(settings.promotionSameAs()).isEmpty();
        assertThat(of(Map.of(Settings.PROMOTION_SAME_AS, " wip ")).promotionSameAs()).contains("wip");
        assertThat(Settings.builder().promotionSameAs("wip").build().toBuilder().promotionSameAs(" ").build()
                .promotionSameAs()).as("blank is not set").isEmpty();
    }

    @Test
    void aBuilderChangesWhatItIsToldAndKeepsTheRest() {
        Settings base = of(Map.of(Settings.CONFIG, "p.yml", Settings.PERSIST, "true", Settings.PUBLISH_HOST, "10.0.0.5"));

        Settings changed = base.toBuilder().profile("offline").stage(" ").allowProd(true).build();

        assertThat(changed.profile()).contains("offline");
        assertThat(changed.stage()).as("blank is not set").isEmpty();
        assertThat(changed.allowProd()).isTrue();
        assertThat(changed.config()).isEqualTo(Path.of("p.yml"));
        assertThat(changed.persist()).isTrue();
        assertThat(base.toBuilder().faults(true).build()).isNotEqualTo(base).extracting(Settings::faults).isEqualTo(true);
        assertThat(changed.publishHost()).contains("10.0.0.5");
        assertThat(base.allowProd()).as("the original is unchanged").isFalse();
        assertThat(base.toBuilder().build()).isEqualTo(base).hasSameHashCodeAs(base);
        assertThat(changed).isNotEqualTo(base);
        assertThat(Settings.builder().stages(List.of("wip")).build().stages()).containsExactly("wip");
    }

    @Test
    void anOptionalSettingIsClearedByItsNoMethodNeverByNull() {
        Settings set = of(Map.of(Settings.PROFILE, "offline", Settings.STAGE, "prep", Settings.PUBLISH_HOST, "10.0.0.5",
                Settings.REPORT, "out"));
        assertThat(set.report()).contains(Path.of("out"));

        Settings cleared = set.toBuilder().noProfile().noStage().noPublishHost().noReport().promotionSameAs("wip")
                .noPromotionSameAs().build();

        assertThat(cleared.profile()).isEmpty();
        assertThat(cleared.stage()).isEmpty();
        assertThat(cleared.publishHost()).isEmpty();
        assertThat(cleared.promotionSameAs()).isEmpty();
        assertThat(cleared.report()).as("no report, as proxystage.report=false").isEmpty()
                .isEqualTo(of(Map.of(Settings.REPORT, "false")).report());
        assertThat(cleared.toBuilder().profile(Optional.of("offline")).report(Optional.of(Path.of("r"))).build())
                .extracting(Settings::profile, Settings::report).containsExactly(Optional.of("offline"), Optional.of(Path.of("r")));
        assertThatThrownBy(() -> Settings.builder().profile((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Settings.builder().report((Path) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theCoverageGateIsSetByItsValueOrItsOptionalAndClearedByItsNoMethod() {
        Settings gated = Settings.builder().coverageMinimum(80).build();

        assertThat(gated.coverageMinimum()).hasValue(80.0);
        assertThat(gated.toBuilder().noCoverageMinimum().build().coverageMinimum()).isEmpty();
        assertThat(gated.toBuilder().coverageMinimum(OptionalDouble.of(50)).build().coverageMinimum()).hasValue(50.0);
        assertThatThrownBy(() -> Settings.builder().coverageMinimum(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void proxyStagesBuilderTakesAValueAnOptionalOrItsNoMethodNeverNull() {
        Settings base = of(Map.of(Settings.PROFILE, "offline", Settings.STAGE, "prep"));

        assertThat(ProxyStage.with(base).profile("other").stage(Optional.of("wip")).settings())
                .extracting(Settings::profile, Settings::stage).containsExactly(Optional.of("other"), Optional.of("wip"));
        assertThat(ProxyStage.with(base).noProfile().noStage().settings())
                .extracting(Settings::profile, Settings::stage).containsExactly(Optional.empty(), Optional.empty());
        assertThat(ProxyStage.with(base).profile(Optional.empty()).settings().profile()).isEmpty();
        assertThatThrownBy(() -> ProxyStage.with(base).stage((String) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ProxyStage.with(base).profile((Optional<String>) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aBadValueNamesItsProperty() {
        assertThatThrownBy(() -> of(Map.of(Settings.ATTACH, "yes"))).isInstanceOf(ProxyStageException.class)
                .hasMessage("proxystage.attach must be true or false, got 'yes'");
        assertThatThrownBy(() -> of(Map.of(Settings.PULL_STALL_TIMEOUT, "0"))).isInstanceOf(ProxyStageException.class)
                .hasMessage("proxystage.pullStallTimeout must be a positive number of seconds, got '0'");
        assertThatThrownBy(() -> of(Map.of(Settings.COVERAGE_MINIMUM, "101"))).isInstanceOf(ProxyStageException.class)
                .hasMessage("proxystage.coverage.minimum must be a percentage from 0 to 100, got '101'");
        assertThatThrownBy(() -> of(Map.of(Settings.COVERAGE_MINIMUM, "most"))).isInstanceOf(ProxyStageException.class)
                .hasMessage("proxystage.coverage.minimum must be a percentage from 0 to 100, got 'most'");
    }

    @Test
    void theCoverageMinimumIsAPercentage() {
        assertThat(of(Map.of()).coverageMinimum()).isEmpty();
        assertThat(of(Map.of(Settings.COVERAGE_MINIMUM, "80")).coverageMinimum()).hasValue(80.0);
        assertThat(of(Map.of(Settings.COVERAGE_MINIMUM, "87.5%")).coverageMinimum()).hasValue(87.5);
        assertThat(of(Map.of(Settings.COVERAGE_MINIMUM, "80")).toBuilder().build())
                .isEqualTo(of(Map.of(Settings.COVERAGE_MINIMUM, "80")));
    }
}
