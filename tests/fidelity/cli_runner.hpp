#pragma once
// Runs crossbarlab-cli as a user would and parses its --json output (fidelity tests check the
// papers' numbers through the same contract scripts use, shared/design/CLI.md).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <utility>

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

/// `train --preset P --seed S --json` of a baseline and its crossbar preset at one seed, with the
/// presets' own epochs; either is null when its run failed.
inline std::pair<nlohmann::json, nlohmann::json>
train_pair(const QString& baseline, const QString& crossbar, int seed, int timeout_ms) {
    const QString s = QString::number(seed);
    return {run_cli_json({"train", "--preset", baseline, "--seed", s}, timeout_ms),
            run_cli_json({"train", "--preset", crossbar, "--seed", s}, timeout_ms)};
}

/// The best test accuracy over a run's epochs (fraction).
inline double best_test_accuracy(const nlohmann::json& run) {
    double best = 0;
    for (const auto& a : run["test_accuracy"])
        best = std::max(best, a.get<double>());
    return best;
}

/// Whether the full MNIST was fetched (scripts/fetch-mnist.sh) where the CLI's "mnist" source
/// reads it; fidelity tests skip without it, they never download.
inline bool have_full_mnist() {
    const char* own = std::getenv("CROSSBARLAB_DATA_HOME");
    const char* xdg = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path dir =
        own && *own   ? std::filesystem::path(own)
        : xdg && *xdg ? std::filesystem::path(xdg) / "crossbarlab"
                      : std::filesystem::path(home ? home : ".") / ".local/share/crossbarlab";
    return std::filesystem::is_regular_file(dir / "mnist" / "train-images-idx3-ubyte");
}

inline QString mnist_dir() {
    return QString(CROSSBARLAB_SHARED_DIR) + "/datasets/mnist-t10k";
}
inline bool have_mnist() {
    return QDir(mnist_dir()).exists();
}

/// Seed 002's sparsity claim on a train summary: in every epoch, the device updates of all
/// layers are at least `factor` times fewer than the weights a full-precision update would change
/// (1000x for the MLP of section 2.3).
inline void require_fewer_updates(const nlohmann::json& run, double factor = 1000) {
    for (std::size_t e = 0; e < run["device_updates"].size(); ++e) {
        double device = 0, fp = 0;
        for (const auto& v : run["device_updates"][e])
            device += v.get<double>();
        for (const auto& v : run["fp_equivalent_updates"][e])
            fp += v.get<double>();
        QVERIFY2(device * factor <= fp,
                 qPrintable(QString("epoch %1: %2 vs %3").arg(e + 1).arg(device).arg(fp)));
    }
}
