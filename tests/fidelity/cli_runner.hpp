#pragma once
// Runs crossbarlab-cli as a user would and parses its --json output (fidelity tests check the
// papers' numbers through the same contract scripts use, shared/design/CLI.md).
#include <nlohmann/json.hpp>

#include <QDir>
#include <QProcess>
#include <QtTest>

inline nlohmann::json run_cli_json(const QStringList& args, int timeout_ms = 1'500'000) {
    QProcess p;
    p.setProgram(CROSSBARLAB_CLI);
    p.setArguments(args + QStringList{"--json"});
    p.start();
    if (!p.waitForFinished(timeout_ms)) {
        p.kill();
        qWarning() << "timed out:" << args;
        return {};
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning() << "crossbarlab-cli" << args << "failed:" << p.readAllStandardError();
        return {};
    }
    return nlohmann::json::parse(p.readAllStandardOutput().toStdString(), nullptr, false);
}

inline QString mnist_dir() {
    return QString(CROSSBARLAB_SHARED_DIR) + "/datasets/mnist-t10k";
}
inline bool have_mnist() {
    return QDir(mnist_dir()).exists();
}
