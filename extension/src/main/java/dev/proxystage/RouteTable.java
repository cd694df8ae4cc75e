package dev.proxystage;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The route table a {@link RouteTableContract} runs: a path relative to pipeline.yml's directory (or absolute).
 * Without it, the contract runs {@code routes.yml} beside pipeline.yml.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RouteTable {

    String value();
}
