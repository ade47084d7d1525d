// The sweep view's numbers (issue 19): metrics read out of summaries, grouped by the swept
// parameters and averaged over seeds with their spread; unrun points leave empty cells; the CSV
// table holds the same numbers.
#include "core/common/param_error.hpp"
#include "core/experiment/config.hpp"
#include "core/sweep/sweep_table.hpp"

#include <QtTest>

#include <cmath>

using namespace cbl;

namespace {

/// eps (2 values) x read-noise scale (3 values) x seeds 1-3 on mca-pcm, points in grid order.
std::vector<SweepPoint> grid_points() {
    return expand_grid(
        load_preset("mca-pcm"),
        {parse_grid_axis("scheme.eps=0.05,0.1"), parse_grid_axis("tile.read_noise_scale=0,1,3")},
        {1, 2, 3});
}

nlohmann::json summary(double best, double last, int updates) {
    return {{"test_accuracy", {best - 0.1, best, last}},
            {"device_updates", {{updates, 1}, {2, 3}}},
            {"energy_nJ_per_image", {{"total", 2.5}}},
            {"diverged", false},
            {"new_scalar_s", 7}};
}

const SweepMetric& metric(const std::vector<SweepMetric>& ms, const std::string& label) {
    for (const SweepMetric& m : ms)
        if (m.label == label) return m;
    throw std::runtime_error("no metric " + label);
}

} // namespace

class TestSweepTable : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void metricsAreReadOutOfSummaries() {
        auto points = grid_points();
        points[0].summary = summary(0.8, 0.7, 10);
        const auto ms = sweep_metrics(points);
        // Only what a summary has, best test accuracy first, unknown numbers under their key.
        QCOMPARE(ms.front().label, std::string("best test accuracy"));
        QCOMPARE(ms.back().key, std::string("new_scalar_s"));
        QVERIFY(std::none_of(ms.begin(), ms.end(),
                             [](const SweepMetric& m) { return m.key == "refreshes"; }));
        const auto& s = points[0].summary;
        QCOMPARE(*metric_value(s, metric(ms, "best test accuracy")), 80.0);
        QCOMPARE(*metric_value(s, metric(ms, "final test accuracy")), 70.0);
        QCOMPARE(*metric_value(s, metric(ms, "device updates")), 16.0);
        QCOMPARE(*metric_value(s, metric(ms, "energy per image")), 2.5);
        QCOMPARE(metric(ms, "energy per image").unit, std::string("nJ"));
        QCOMPARE(*metric_value(s, metric(ms, "diverged runs")), 0.0);
        QVERIFY(!metric_value(nlohmann::json::object(), ms.front()));
    }
    void cellsAreTheMeanOverSeeds() {
        auto points = grid_points();
        // Cell (eps 0.1, noise 1) = points 12..14: best accuracies 80, 84, 88 %.
        points[12].summary = summary(0.80, 0.7, 1);
        points[13].summary = summary(0.84, 0.7, 1);
        points[14].summary = summary(0.88, 0.7, 1);
        // Cell (eps 0.05, noise 3): one of three seeds ran.
        points[6].summary = summary(0.5, 0.5, 1);
        const SweepTable t = aggregate_sweep(points, sweep_metrics(points).front());
        QCOMPARE(t.axes.size(), std::size_t(2));
        QCOMPARE(t.axes[0].key, std::string("scheme.eps"));
        QCOMPARE(t.axes[1].values, (std::vector<std::string>{"0", "1", "3"}));
        QCOMPARE(t.cells.size(), std::size_t(6));
        const SweepCell& full = t.at({1, 1});
        QCOMPARE(full.n, std::size_t(3));
        QCOMPARE(full.planned, std::size_t(3));
        QVERIFY(std::abs(full.mean - 84.0) < 1e-9);
        QVERIFY(std::abs(full.stddev - 4.0) < 1e-9); // sample std of 80, 84, 88
        const SweepCell& one = t.at({0, 2});
        QCOMPARE(one.n, std::size_t(1));
        QCOMPARE(one.mean, 50.0);
        QCOMPARE(one.stddev, 0.0);
        // Not run yet: an empty cell.
        QCOMPARE(t.at({0, 0}).n, std::size_t(0));
        QCOMPARE(t.at({0, 0}).planned, std::size_t(3));
    }
    void csvHoldsTheTable() {
        auto points = grid_points();
        points[12].summary = summary(0.80, 0.7, 1);
        points[13].summary = summary(0.84, 0.7, 1);
        const auto ms = sweep_metrics(points);
        const QStringList lines =
            QString::fromStdString(sweep_csv(points, {ms.front()})).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7);
        QCOMPARE(lines[0], QString("scheme.eps,tile.read_noise_scale,seeds planned,"
                                   "best test accuracy [%] mean,best test accuracy [%] std,"
                                   "best test accuracy [%] n"));
        QCOMPARE(lines[1], QString("0.05,0,3,,,0"));
        const QStringList row = lines[5].split(',');
        QCOMPARE(row.mid(0, 3), (QStringList{"0.1", "1", "3"}));
        QCOMPARE(row[3].toDouble(), 82.0);
        QVERIFY(std::abs(row[4].toDouble() - std::sqrt(8.0)) < 1e-9);
        QCOMPARE(row[5], QString("2"));
    }
    void mismatchedPointsAreRefused() {
        auto points = grid_points();
        points[4].overrides[1] = "tile.drift_nu=1";
        try {
            sweep_axes(points);
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), QString("point 5 sweeps tile.drift_nu where point 1 "
                                                "sweeps tile.read_noise_scale"));
        }
        points[4].overrides.pop_back();
        QVERIFY_THROWS_EXCEPTION(InputError, sweep_axes(points));
    }
};

QTEST_GUILESS_MAIN(TestSweepTable)
#include "tst_sweep_table.moc"
