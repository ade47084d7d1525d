// Issue 20, outputs: a result that cannot be delivered is a failure the user hears about, and a
// run whose session cannot be saved is refused before it trains. CLI.md: --help on every command
// lists every option the command accepts.
#include "../common/cli_process.hpp"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QStringList tiny = {"train",         "--preset", "fp32",     "--dataset", "synthetic",
                          "--train-limit", "50",       "--epochs", "1"};

} // namespace

class TestCliOutputs : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void fullStdoutIsAFailure() {
        if (!QFile::exists("/dev/full")) QSKIP("no /dev/full here");
        for (const QStringList& args : {QStringList{"presets"}, tiny + QStringList{"--json"}}) {
            const CliRun r = run_cli(args, "/dev/full");
            QVERIFY2(r.code != 0, qPrintable(args.join(' ')));
            QVERIFY2(r.err.contains("cannot write the output"), qPrintable(r.err));
        }
    }
    void unwritableOutIsRefusedBeforeTraining() {
        const CliRun r = run_cli(tiny + QStringList{"--out", "/nonexistent/dir/x.h5"});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("/nonexistent/dir") && r.err.contains("does not exist"),
                 qPrintable(r.err));
        // Refused before the first image: no progress line was printed.
        QVERIFY2(!r.err.contains("epoch 1/1"), qPrintable(r.err));
        QTemporaryDir dir;
        const CliRun folder = run_cli(tiny + QStringList{"--out", dir.path()});
        QVERIFY(folder.code != 0);
        QVERIFY2(folder.err.contains("is a folder"), qPrintable(folder.err));
    }
    void helpListsEveryAcceptedOption() {
        const CliRun top = run_cli({"--help"});
        QCOMPARE(top.code, 0);
        // The command table: "  NAME   summary" lines after "commands:".
        QStringList commands;
        static const QRegularExpression commandLine(R"(^  ([a-z0-9]+) +\S)");
        for (const QString& line : top.out.section("commands:", 1).split('\n')) {
            const auto m = commandLine.match(line);
            if (m.hasMatch()) commands << m.captured(1);
        }
        QVERIFY2(commands.size() >= 8 && commands.contains("train"), qPrintable(top.out));
        for (const QString& c : commands) {
            // What the command accepts, from its own refusal of an unknown option.
            const CliRun bad = run_cli({c, "--no-such-option"});
            QVERIFY2(bad.code != 0, qPrintable(c));
            const QString accepts = bad.err.section("this command accepts:", 1).trimmed();
            QVERIFY2(!accepts.isEmpty(), qPrintable(c + ": " + bad.err));
            const CliRun help = run_cli({c, "--help"});
            QVERIFY2(help.code == 0, qPrintable(c + ": " + help.err));
            QVERIFY2(help.err.isEmpty(), qPrintable(c + ": " + help.err));
            for (const QString& option : accepts.split(' ', Qt::SkipEmptyParts)) {
                // Each option opens its own line and says what it does.
                const QRegularExpression line("^  " + QRegularExpression::escape(option) +
                                                  R"((?: \S+)? +\S)",
                                              QRegularExpression::MultilineOption);
                QVERIFY2(line.match(help.out).hasMatch(),
                         qPrintable(c + " --help lacks " + option + ":\n" + help.out));
            }
        }
    }
    // Issue 18 F11b: the help points to documentation inside the project, which describes
    // every command.
    void helpPointsIntoTheProject() {
        const CliRun top = run_cli({"--help"});
        const CliRun train = run_cli({"train", "--help"});
        for (const CliRun* r : {&top, &train}) {
            QVERIFY2(r->out.contains("docs/cli.md"), qPrintable(r->out));
            QVERIFY2(!r->out.contains("shared/"), qPrintable(r->out));
        }
        const QString path = QFINDTESTDATA("../../docs/cli.md");
        QFile doc(path);
        QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(path));
        const QString text = QString::fromUtf8(doc.readAll());
        static const QRegularExpression commandLine(R"(^  ([a-z0-9]+(?: merge)?) +\S)",
                                                    QRegularExpression::MultilineOption);
        const QString table = top.out.section("commands:", 1);
        int named = 0;
        for (auto it = commandLine.globalMatch(table); it.hasNext(); ++named) {
            const QString c = it.next().captured(1);
            QVERIFY2(text.contains("| `" + c + "` |"), qPrintable("docs/cli.md lacks " + c));
        }
        QVERIFY(named >= 8);
    }
};

QTEST_GUILESS_MAIN(TestCliOutputs)
#include "tst_cli_outputs.moc"
