package dev.proxystage.faultproxy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What shipping the proxy into a bare JRE container relies on. */
class FaultProxyShapeTest {

    @Test
    void theFaultProxyNeedsNothingButTheJdk() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.proxystage.faultproxy..")
                .because("it runs alone on a bare JRE in its container")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.proxystage.faultproxy"));
    }

    @Test
    void itsPackageHoldsTheProxyAndItsNestedClassesOnly() throws IOException, URISyntaxException {
        Path dir = Path.of(FaultProxy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/proxystage/faultproxy");
        try (Stream<Path> files = Files.list(dir)) {
            // Every class file of the package is shipped: it must be the proxy's own.
            assertThat(files.map(f -> f.getFileName().toString())).contains("FaultProxy.class")
                    .allMatch(name -> name.matches("FaultProxy(\\$\\w+)?\\.class"));
        }
    }
}
