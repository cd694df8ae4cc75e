package dev.proxystage.echo;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class EchoDependenciesTest {

    @Test
    void theEchoBackendNeedsNothingButTheJdk() {
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.proxystage.echo..")
                .because("it runs alone on a bare JRE in the backend container")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.proxystage.echo"));
    }
}
