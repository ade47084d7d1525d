#pragma once
// Runs crossbarlab-cli in a child process, for tests of its exit codes, messages and outputs.
#include <QProcess>
#include <QString>
#include <QStringList>

struct CliRun {
    int code = -1; ///< the exit code; -1 when it crashed or timed out
    QString err;
    QString out; ///< empty when stdout went to a file
};

/// Runs crossbarlab-cli with `args`; stdout goes to the file `out` when given (e.g. /dev/full).
inline CliRun run_cli(const QStringList& args, const QString& out = {}, int timeout_ms = 240'000) {
    QProcess p;
    if (!out.isEmpty()) p.setStandardOutputFile(out);
    p.start(CROSSBARLAB_CLI, args);
    if (!p.waitForFinished(timeout_ms)) p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardError()),
            out.isEmpty() ? QString::fromUtf8(p.readAllStandardOutput()) : QString()};
}
