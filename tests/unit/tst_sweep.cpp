// Issue 19, local sweeps: grids and seeds parse into the points they name, bad grids are refused
// before anything runs, the sweep file round-trips and refuses another sweep's points, and a
// sweep killed with SIGKILL halfway completes on rerun with the results of an uninterrupted one,
// running only the points it lacked.
#include "core/common/param_error.hpp"
#include "core/experiment/config.hpp"
#include "core/sweep/sweep.hpp"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace cbl;

namespace {

QString refusal(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

/// The summaries of a sweep's --json output, keyed by their overrides.
std::map<std::string, nlohmann::json> summaries(const QByteArray& json) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& p : nlohmann::json::parse(json.toStdString()))
        out[p["overrides"].dump()] = p["summary"];
    return out;
}

/// The same run twice gives the same summary up to the wall clock it took.
nlohmann::json without_timing(nlohmann::json s) {
    s.erase("wall_seconds");
    s.erase("images_per_second");
    return s;
}

const QStringList grid = {"sweep",
                          "--preset",
                          "fp32",
                          "--dataset",
                          "synthetic",
                          "--train-limit",
                          "1500",
                          "--test-limit",
                          "200",
                          "--epochs",
                          "2",
                          "--threads",
                          "1",
                          "--grid",
                          "training.optimizer.learning_rate=0.02:0.2:3:log",
                          "--seeds",
                          "1-2",
                          "--json"};

} // namespace

class TestSweep : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void gridAxesParse() {
        GridAxis a = parse_grid_axis("scheme.eps=0.05,0.1,0.2");
        QCOMPARE(a.key, std::string("scheme.eps"));
        QCOMPARE(a.values, (std::vector<std::string>{"0.05", "0.1", "0.2"}));
        a = parse_grid_axis("training.epochs=2:10:5");
        QCOMPARE(a.values, (std::vector<std::string>{"2", "4", "6", "8", "10"}));
        a = parse_grid_axis("scheme.eps=0.1:0.5:5");
        QCOMPARE(a.values, (std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"}));
        a = parse_grid_axis("scheme.eps=0.01:1:3:log");
        QCOMPARE(a.values, (std::vector<std::string>{"0.01", "0.1", "1"}));
        QCOMPARE(parse_seeds("1-3,7"), (std::vector<std::uint64_t>{1, 2, 3, 7}));
    }
    void badGridsAreRefusedWithTheField() {
        QVERIFY(refusal([] { parse_grid_axis("scheme.eps"); }).contains("expected KEY="));
        QVERIFY(refusal([] { parse_grid_axis("scheme.eps="); }).contains("no values"));
        QVERIFY(refusal([] { parse_grid_axis("scheme.eps=1:2:0"); }).contains("count = 0"));
        QVERIFY(refusal([] { parse_grid_axis("scheme.eps=0:1:3:log"); }).contains("above 0"));
        QVERIFY(refusal([] { parse_grid_axis("scheme.eps=a:1:3"); }).contains("not a finite"));
        QVERIFY(refusal([] { parse_seeds("5-2"); }).contains("empty"));
        const nlohmann::json base = load_preset("fp32");
        const QString unknown =
            refusal([&] { expand_grid(base, {parse_grid_axis("training.bogus=1,2")}, {1}); });
        QVERIFY2(unknown.contains("training.bogus is not a known field"), qPrintable(unknown));
        const QString range =
            refusal([&] { expand_grid(base, {parse_grid_axis("scheme.eps=0.1,1000")}, {1}); });
        QVERIFY2(range.contains("scheme.eps=1000") && range.contains("out of range"),
                 qPrintable(range));
    }
    void pointsAreTheProductTimesTheSeeds() {
        const auto points =
            expand_grid(load_preset("fp32"),
                        {parse_grid_axis("scheme.eps=0.1,0.2"),
                         parse_grid_axis("training.optimizer.learning_rate=0.01,0.02,0.03")},
                        {4, 5});
        QCOMPARE(points.size(), std::size_t(12));
        QCOMPARE(points[1].overrides, (std::vector<std::string>{
                                          "scheme.eps=0.1", "training.optimizer.learning_rate=0.01",
                                          "training.seed=5"}));
        QCOMPARE(points[11].config["training"]["optimizer"]["learning_rate"].get<double>(), 0.03);
        QCOMPARE(points[11].config["scheme"]["eps"].get<double>(), 0.2);
    }
    void fileRoundTripsAndRefusesAnotherSweep() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("s.h5").toStdString();
        auto points =
            expand_grid(load_preset("fp32"), {parse_grid_axis("scheme.eps=0.1,0.2")}, {1});
        points[0].summary = {{"test_accuracy", {0.5}}};
        save_sweep(path, points);
        auto again = expand_grid(load_preset("fp32"), {parse_grid_axis("scheme.eps=0.1,0.2")}, {1});
        resume_sweep(path, again);
        QCOMPARE(again[0].summary, points[0].summary);
        QVERIFY(again[1].summary.is_null());
        auto other = expand_grid(load_preset("fp32"), {parse_grid_axis("scheme.eps=0.1,0.3")}, {1});
        QVERIFY(refusal([&] { resume_sweep(path, other); }).contains("another sweep"));
        std::ofstream(dir.filePath("junk.h5").toStdString()) << "not hdf5";
        QVERIFY(refusal([&] {
                    resume_sweep(dir.filePath("junk.h5").toStdString(), again);
                }).contains("not an HDF5 file"));
    }
    void killedSweepCompletesOnRerun() {
        QTemporaryDir dir;
        QProcess whole;
        whole.start(CROSSBARLAB_CLI, grid + QStringList{"--out", dir.filePath("whole.h5")});
        QVERIFY(whole.waitForFinished(300'000) && whole.exitCode() == 0);
        const auto reference = summaries(whole.readAllStandardOutput());
        QCOMPARE(reference.size(), std::size_t(6));

        // Killed once the file holds its first finished point.
        const QString path = dir.filePath("killed.h5");
        QProcess killed;
        killed.start(CROSSBARLAB_CLI, grid + QStringList{"--out", path});
        QVERIFY(killed.waitForStarted());
        while (!QFile::exists(path) && killed.state() == QProcess::Running)
            QTest::qWait(5);
        killed.kill(); // SIGKILL
        killed.waitForFinished();
        QVERIFY2(QFile::exists(path), "the sweep finished before it could be killed");
        std::vector<SweepPoint> before = expand_grid(
            load_preset("fp32"),
            {parse_grid_axis("training.optimizer.learning_rate=0.02:0.2:3:log")}, {1, 2});
        for (auto& p : before) {
            nlohmann::json& t = p.config["dataset"];
            t["source"] = "synthetic", t["train_limit"] = 1500, t["test_limit"] = 200;
            p.config["training"]["epochs"] = 2;
        }
        resume_sweep(path.toStdString(), before);
        std::size_t finished = 0;
        for (const auto& p : before)
            finished += !p.summary.is_null();
        QVERIFY2(finished >= 1 && finished < 6, qPrintable(QString::number(finished)));

        QProcess rerun;
        rerun.start(CROSSBARLAB_CLI, grid + QStringList{"--out", path});
        QVERIFY(rerun.waitForFinished(300'000) && rerun.exitCode() == 0);
        const auto after = summaries(rerun.readAllStandardOutput());
        QCOMPARE(after.size(), reference.size());
        for (const auto& [point, s] : reference)
            QCOMPARE(without_timing(after.at(point)), without_timing(s));
        // Points finished before the kill were not run again: their wall clock is the one stored.
        for (const auto& p : before)
            if (!p.summary.is_null())
                QCOMPARE(after.at(nlohmann::json(p.overrides).dump()), p.summary);
    }
    void shardsMergeIntoTheWholeSweep() {
        QTemporaryDir dir;
        QProcess whole;
        whole.start(CROSSBARLAB_CLI, grid + QStringList{"--out", dir.filePath("whole.h5")});
        QVERIFY(whole.waitForFinished(300'000) && whole.exitCode() == 0);
        QStringList from;
        for (const QString shard : {"1/2", "2/2"}) {
            QProcess p;
            const QString file = dir.filePath("shard" + QString(shard[0]) + ".h5");
            p.start(CROSSBARLAB_CLI, grid + QStringList{"--shard", shard, "--out", file});
            QVERIFY(p.waitForFinished(300'000) && p.exitCode() == 0);
            QCOMPARE(nlohmann::json::parse(p.readAllStandardOutput().toStdString()).size(),
                     std::size_t(6));
            from << "--from" << file;
        }
        QProcess merge;
        merge.start(CROSSBARLAB_CLI,
                    QStringList{"sweep", "merge", "--out", dir.filePath("merged.h5")} + from);
        QVERIFY(merge.waitForFinished(60'000));
        QVERIFY2(merge.exitCode() == 0, merge.readAllStandardError().constData());
        const auto a = load_sweep(dir.filePath("whole.h5").toStdString());
        const auto b = load_sweep(dir.filePath("merged.h5").toStdString());
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            QCOMPARE(without_timing(b[i].summary), without_timing(a[i].summary));
        // A shard's file is refused by another grid's merge.
        QProcess other;
        other.start(CROSSBARLAB_CLI,
                    QStringList{"sweep", "merge", "--out", dir.filePath("bad.h5"), "--from",
                                dir.filePath("whole.h5"), "--from", dir.filePath("junk.h5")});
        QVERIFY(other.waitForFinished(60'000));
        QCOMPARE(other.exitCode(), 2);
        QVERIFY(!QFile::exists(dir.filePath("bad.h5")));
    }
    void twoMpiRanksGiveTheLocalResults() {
#if defined(CROSSBARLAB_MPIEXEC)
        QTemporaryDir dir;
        QProcess local;
        local.start(CROSSBARLAB_CLI, grid + QStringList{"--out", dir.filePath("local.h5")});
        QVERIFY(local.waitForFinished(300'000) && local.exitCode() == 0);
        QProcess ranks;
        ranks.start(CROSSBARLAB_MPIEXEC, QStringList{"--allow-run-as-root", "--oversubscribe",
                                                     "-np", "2", CROSSBARLAB_CLI} +
                                             grid + QStringList{"--out", dir.filePath("mpi.h5")});
        QVERIFY(ranks.waitForFinished(300'000));
        QVERIFY2(ranks.exitCode() == 0, ranks.readAllStandardError().constData());
        const auto a = summaries(local.readAllStandardOutput());
        const auto b = summaries(ranks.readAllStandardOutput());
        QCOMPARE(b.size(), a.size());
        for (const auto& [point, s] : a)
            QCOMPARE(without_timing(b.at(point)), without_timing(s));
#else
        QSKIP("crossbarlab-cli was built without MPI");
#endif
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "tst_sweep.moc"
