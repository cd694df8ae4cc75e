package dev.proxystage.internal.nginx;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.DHParameterSpec;

/** The size of the prime in a PEM file of Diffie-Hellman parameters, as {@code ssl_dhparam} names one. */
final class DhParameters {

    /** What OpenSSL at security level 2 (Debian's default, in both known images) accepts. */
    static final int MINIMUM_BITS = 2048;

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN DH PARAMETERS-----([A-Za-z0-9+/=\\s]+)-----END DH PARAMETERS-----");
    /** Larger files are no parameters nginx would load; not read. */
    private static final long MAX_BYTES = 64 * 1024;

    private DhParameters() {
    }

    /**
     * The prime's size in bits, or empty when the file holds no PEM DH parameters this can read (nginx's own message
     * then comes from nginx -t).
     */
    static Optional<Integer> primeBits(Path pem) {
        try {
            if (Files.size(pem) > MAX_BYTES) {
                return Optional.empty();
            }
            Matcher m = PEM.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
            if (!m.find()) {
                return Optional.empty();
            }
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("DH");
            parameters.init(der);
            BigInteger p = parameters.getParameterSpec(DHParameterSpec.class).getP();
            return Optional.of(p.bitLength());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
