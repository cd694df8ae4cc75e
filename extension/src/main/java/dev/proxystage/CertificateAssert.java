package dev.proxystage;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** Assertions on the certificate a stage's nginx presented. */
public final class CertificateAssert extends AbstractAssert<CertificateAssert, X509Certificate> {

    CertificateAssert(X509Certificate actual) {
        super(actual, CertificateAssert.class);
    }

    /** The certificate names {@code name} (a DNS or IP subject alternative name), exactly as written. */
    public CertificateAssert hasSubjectAlternativeName(String name) {
        isNotNull();
        List<String> names = subjectAlternativeNames(actual);
        if (!names.contains(name)) {
            failWithMessage("expected the served certificate (%s) to name %s but its subject alternative names are %s",
                    actual.getSubjectX500Principal().getName(), name, names);
        }
        return this;
    }

    /** The subject alternative names of {@code certificate}, DNS names and IP addresses. */
    static List<String> subjectAlternativeNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries != null) {
                for (List<?> entry : entries) {
                    names.add(String.valueOf(entry.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            throw new AssertionError("cannot read the served certificate's names: " + e.getMessage(), e);
        }
        return names;
    }
}
