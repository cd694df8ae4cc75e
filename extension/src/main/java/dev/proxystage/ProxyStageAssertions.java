package dev.proxystage;

/**
 * AssertJ entry points for stage tests. {@code ProxyResponse} is also an AssertJ {@code AssertProvider}, so plain
 * {@code Assertions.assertThat(response)} gives the same assertions.
 */
public final class ProxyStageAssertions {

    private ProxyStageAssertions() {
    }

    public static ProxyResponseAssert assertThat(ProxyResponse actual) {
        return new ProxyResponseAssert(actual);
    }

    public static EchoReportAssert assertThat(EchoReport actual) {
        return new EchoReportAssert(actual);
    }

    public static StageAssert assertThat(Stage actual) {
        return new StageAssert(actual);
    }
}
