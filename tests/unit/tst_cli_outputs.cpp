// Issue 20, outputs: a result that cannot be delivered is a failure the user hears about, and a
// run whose session cannot be saved is refused before it trains.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int code = -1;
    QString err;
};

/// Runs crossbarlab-cli with stdout sent to `out` (a path, e.g. /dev/full).
Run cli(const QStringList& args, const QString& out = {}) {
    QProcess p;
    if (!out.isEmpty()) p.setStandardOutputFile(out);
    p.start(CROSSBARLAB_CLI, args);
    if (!p.waitForFinished(120'000)) p.kill();
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardError())};
}

const QStringList tiny = {"train",         "--preset", "fp32",     "--dataset", "synthetic",
                          "--train-limit", "50",       "--epochs", "1"};

} // namespace

class TestCliOutputs : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void fullStdoutIsAFailure() {
        if (!QFile::exists("/dev/full")) QSKIP("no /dev/full here");
        for (const QStringList& args : {QStringList{"presets"}, tiny + QStringList{"--json"}}) {
            const Run r = cli(args, "/dev/full");
            QVERIFY2(r.code != 0, qPrintable(args.join(' ')));
            QVERIFY2(r.err.contains("cannot write the output"), qPrintable(r.err));
        }
    }
    void unwritableOutIsRefusedBeforeTraining() {
        const Run r = cli(tiny + QStringList{"--out", "/nonexistent/dir/x.h5"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("/nonexistent/dir") && r.err.contains("does not exist"),
                 qPrintable(r.err));
        // Refused before the first image: no progress line was printed.
        QVERIFY2(!r.err.contains("epoch 1/1"), qPrintable(r.err));
        QTemporaryDir dir;
        const Run folder = cli(tiny + QStringList{"--out", dir.path()});
        QVERIFY(folder.code != 0);
        QVERIFY2(folder.err.contains("is a folder"), qPrintable(folder.err));
    }
};

QTEST_GUILESS_MAIN(TestCliOutputs)
#include "tst_cli_outputs.moc"
