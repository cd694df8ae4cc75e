package dev.proxystage.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The command line's dependency rule, checked on its compiled classes; the library's own are in ArchitectureTest. */
class CliArchitectureTest {

    private static final JavaClasses CLI = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.proxystage.cli");

    @Test
    void theCommandsOnlyAdapt() {
        classes().that().resideInAPackage("dev.proxystage.cli")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.proxystage.cli", "dev.proxystage",
                        "dev.proxystage.internal.runtime", "picocli..", "java..", "javax..")
                .because("the commands adapt picocli onto the run (internal.runtime) as the JUnit glue adapts JUnit,"
                        + " and print; checks, plans and the engine sit behind it. Logging needs no slf4j: it sets"
                        + " slf4j-simple's system properties before any logger exists")
                .check(CLI);
    }
}
