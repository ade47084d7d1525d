// Fuzzes session loading with libFuzzer (tests/fuzz/fuzz_load_session.cpp, built with clang and
// AddressSanitizer by tests/fuzz/CMakeLists.txt) for CROSSBARLAB_FUZZ_SECONDS (default 600 s),
// starting from a valid small session and truncations of it. Any crash or sanitizer report in
// our code, exception other than InputError, hang (> 10 s per input) or runaway allocation fails
// the test; the inputs are kept and their folder printed. A crash inside HDF5 itself is contained
// by load_session's trial read in a child process (core/session/child_process.hpp) and counted.
#include "core/experiment/config.hpp"
#include "core/experiment/experiment.hpp"
#include "core/session/session_file.hpp"

#include <fstream>

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace cbl;

namespace {

/// How long libFuzzer runs: CROSSBARLAB_FUZZ_SECONDS, 600 by default.
int fuzz_seconds() {
    return qEnvironmentVariableIsSet("CROSSBARLAB_FUZZ_SECONDS")
               ? qEnvironmentVariableIntValue("CROSSBARLAB_FUZZ_SECONDS")
               : 600;
}

} // namespace

#ifdef CROSSBARLAB_SESSION_FUZZER
namespace {

/// A small but complete session that the validator accepts: mca-pcm on a 785-6-10 network,
/// trained mid-way into a second epoch, so its arrays hold floats, doubles, bytes and counts (a
/// hand-made state no longer matches the shapes the stored config's network saves).
ExperimentState seed_state() {
    ExperimentConfig c = load_preset("mca-pcm");
    c.dataset.source = "synthetic";
    c.dataset.synthetic_train = 40;
    c.dataset.synthetic_test = 20;
    c.network.layers = {785, 6, 10};
    Experiment e(c, std::make_shared<const DataSplit>(load_dataset(c.dataset)));
    e.train_epoch();
    e.set_parameter("training.optimizer.learning_rate", 0.05);
    e.train(13);
    return e.state();
}

void write_bytes(const QString& path, const std::string& bytes) {
    std::ofstream(path.toStdString(), std::ios::binary | std::ios::trunc) << bytes;
}

/// Sanitizer reports in a fuzzing log, split by where they happened.
struct SanitizerReports {
    int inside_hdf5 = 0; ///< the first frame outside the sanitizer's runtime is in libhdf5
    QStringList ours;    ///< whole reports whose first such frame is in source code
};

SanitizerReports sanitizer_reports(const QString& log) {
    SanitizerReports out;
    const QRegularExpression frame(R"(^\s*#\d+ 0x[0-9a-f]+ )");
    const QRegularExpression source_line(R"(\.(cpp|hpp|c|h):\d+)");
    const QStringList lines = log.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        // UBSan instruments only our code: each of its reports is ours.
        if (lines[i].contains("runtime error:")) {
            out.ours << lines[i];
            continue;
        }
        if (!lines[i].contains("ERROR: AddressSanitizer")) continue;
        QStringList report{lines[i]};
        bool in_hdf5 = false;
        for (qsizetype j = i + 1; j < lines.size() && j < i + 60; ++j) {
            report << lines[j];
            if (!frame.match(lines[j]).hasMatch()) continue;
            // The sanitizer's own frames (allocator, interceptors) name neither a library nor a
            // source line; the first frame that does says whose code crashed.
            if (lines[j].contains("libhdf5")) {
                in_hdf5 = true;
                break;
            }
            if (source_line.match(lines[j]).hasMatch()) break;
        }
        if (in_hdf5)
            ++out.inside_hdf5;
        else
            out.ours << report.join('\n');
    }
    return out;
}

} // namespace
#endif // the helpers serve only the fuzzer run (unused, and warned about, without it)

class TestSessionFuzz : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void loadSessionSurvivesAnyBytes() {
#ifndef CROSSBARLAB_SESSION_FUZZER
        QSKIP("the session fuzzer is not built (tests/fuzz needs clang++ with libFuzzer)");
#else
        const int seconds = fuzz_seconds();
        QVERIFY(seconds > 0);
        QTemporaryDir tmp;
        tmp.setAutoRemove(false); // keeps a failing input for the report below
        const QString corpus = tmp.path() + "/corpus", artifacts = tmp.path() + "/artifacts";
        QVERIFY(QDir().mkpath(corpus) && QDir().mkpath(artifacts));

        const QString seed = tmp.path() + "/seed.h5";
        save_session(seed.toStdString(), seed_state(), {});
        QVERIFY(load_session(seed.toStdString()).history.size() == 1);
        std::ifstream in(seed.toStdString(), std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        write_bytes(corpus + "/valid", bytes);
        for (const std::size_t n :
             {std::size_t(0), std::size_t(8), std::size_t(48), std::size_t(512), std::size_t(2048),
              bytes.size() / 4, bytes.size() / 2, bytes.size() - 1})
            write_bytes(corpus + QString("/truncated_%1").arg(n), bytes.substr(0, n));

        QProcess fuzzer;
        fuzzer.setProcessChannelMode(QProcess::MergedChannels);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("TMPDIR", tmp.path());
        // LeakSanitizer would report HDF5's internal leak (see -detect_leaks) at exit.
        env.insert("ASAN_OPTIONS", "detect_leaks=0");
        fuzzer.setProcessEnvironment(env);
        fuzzer.start(CROSSBARLAB_SESSION_FUZZER,
                     {QString("-max_total_time=%1").arg(seconds), "-timeout=10",
                      "-rss_limit_mb=2048", QString("-max_len=%1").arg(bytes.size() * 3 / 2),
                      // HDF5 1.10.8 leaks a few hundred bytes inside the library when a
                      // metadata checksum fails; that is not ours to fix and not a crash.
                      "-detect_leaks=0", "-print_final_stats=1",
                      "-artifact_prefix=" + artifacts + "/", corpus});
        QVERIFY2(fuzzer.waitForStarted(), qPrintable(fuzzer.errorString()));
        QVERIFY(fuzzer.waitForFinished((seconds + 300) * 1000));
        const QString log = QString::fromUtf8(fuzzer.readAll());
        for (const QString& line : log.split('\n'))
            if (line.startsWith("stat::") || line.startsWith("Done ")) qInfo().noquote() << line;
        // The loader switches HDF5's own error printing off: a bad file is one InputError line.
        QVERIFY2(!log.contains("HDF5-DIAG"), qPrintable(log.left(6000)));
        // load_session() reads each file in a child process first, so a crash there ends as a
        // refusal: the child's sanitizer report in the log, and the input its copy of libFuzzer
        // wrote into the artifacts on the way out, are all that is left of it. A crash inside
        // HDF5 is what that child is for; one in our own code, or any end of the fuzzer itself
        // other than a clean one, is a finding.
        const SanitizerReports reports = sanitizer_reports(log);
        qInfo() << "inputs that crashed HDF5 (refused as damaged files):" << reports.inside_hdf5;
        if (fuzzer.exitCode() != 0 || !reports.ours.isEmpty()) {
            qInfo().noquote() << (reports.ours.isEmpty()
                                      ? log.right(6000)
                                      : reports.ours.join("\n----\n").left(8000));
            QFAIL(qPrintable(QString("the fuzzer found %1 report(s) in our code (exit %2); "
                                     "inputs kept in %3")
                                 .arg(reports.ours.size())
                                 .arg(fuzzer.exitCode())
                                 .arg(artifacts)));
        }
        tmp.setAutoRemove(true);
#endif
    }
};

int main(int argc, char** argv) {
    // QtTest's watchdog aborts a test function after QTEST_FUNCTION_TIMEOUT ms (default 5 min)
    // and reads it once, before the first function: the fuzzing run is longer by design. (CTest's
    // own TIMEOUT for bench tests is 1800 s; longer runs need `ctest --timeout`.)
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", QByteArray::number((fuzz_seconds() + 600) * 1000));
    QCoreApplication app(argc, argv);
    TestSessionFuzz test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_session_fuzz.moc"
