package dev.proxystage;

/** A point in a stage's logs; lines logged after it can be asked for. */
public record LogMark(long sequence) {
}
