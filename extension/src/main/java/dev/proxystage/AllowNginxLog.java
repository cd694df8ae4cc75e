package dev.proxystage;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets nginx log the named messages at {@code [alert]}, {@code [crit]} or {@code [emerg]} while the annotated test
 * (or every test of the annotated class) runs, without failing it. Without it, such a line fails the test that was
 * running when nginx wrote it, as nginx's own test suite does:
 *
 * <pre>{@code
 * @Test
 * @AllowNginxLog("connect() to unix:/run/app.sock failed")
 * void theAppBeingDownIsA502(StageClient client) { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AllowNginxLog {

    /** Parts of the messages allowed: a line containing one of them does not fail the test. */
    String[] value();
}
