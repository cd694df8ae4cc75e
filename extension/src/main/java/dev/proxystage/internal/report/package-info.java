/**
 * What one run found, gathered while it runs and written once at its end: the route answers of every stage (the
 * matrix across stages and the promotion gate), the test results with their traces and log lines, each stage's
 * routing map and static findings, and the coverage another part of the build may leave beside the report. The
 * report is one self-contained HTML file: no scripts, fonts or other files, readable offline.
 */
package dev.proxystage.internal.report;
