// Issue 18: comparison runs are overlaid on the per-epoch charts, the sparsity chart included
// (one dotted line per run: its device updates per epoch over all layers) and the energy chart
// (one marker per stage and run), and listed with their progress and state in the Runs panel,
// from which one can be removed. The energy chart reads its bars and markers on hover. Issue 16:
// beside it, TIME's run against DaDianNao and the GPU, the report's numbers on a log scale.
#include "core/energy/ledger.hpp"
#include "core/experiment/snapshot.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/comparison_runs.hpp"
#include "ui/views/energy_chart.hpp"
#include "ui/views/run_list.hpp"
#include "ui/views/sparsity_chart.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QLineSeries>
#include <QLocale>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QTest>

#include <cmath>
#include <memory>

using namespace cbl;
using namespace cbl::ui;

namespace {

EpochMetrics epoch(int n, std::vector<std::uint64_t> devices, std::vector<std::uint64_t> fp) {
    EpochMetrics m;
    m.epoch = n;
    m.test_accuracy = 0.8;
    m.device_updates = std::move(devices);
    m.fp_equivalent_updates = std::move(fp);
    return m;
}

template <typename Series = QLineSeries>
Series* series_named(const ChartView* view, const QString& name) {
    for (QAbstractSeries* s : view->chart()->series())
        if (s->name() == name) return qobject_cast<Series*>(s);
    return nullptr;
}

/// An energy report priced by `technology` with these per-image stage totals [nJ] (forward,
/// backward, update), spent by two components.
EnergyReport energy(double forward, double backward, double update) {
    EnergyReport e;
    e.technology = "mca-14nm";
    e.energy_nJ_per_image = {forward, backward, update, 0, forward + backward + update};
    ComponentSummary mvm, set;
    mvm.name = "crossbar_mvm";
    mvm.energy_nJ = {forward, backward, 0, 0, forward + backward};
    set.name = "pcm_set";
    set.energy_nJ = {0, 0, update, 0, update};
    e.components = {mvm, set};
    return e;
}

/// Viewport position of a chart value as `series` plots it.
QPointF pixel_of(const ChartView& view, QPointF value, QAbstractSeries* series) {
    const QPointF chartPos = view.chart()->mapToPosition(value, series);
    return view.mapFromScene(view.chart()->mapToScene(chartPos));
}

} // namespace

class TestComparisonOverlays : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void sparsityOverlaysEveryComparisonRun() {
        SparsityChart chart;
        auto s = std::make_shared<Snapshot>();
        s->epochs_total = 3;
        s->history = {epoch(1, {100, 10}, {1000000, 100000}), epoch(2, {50, 5}, {1000000, 100000})};
        chart.showSnapshot(s);
        RunCurve run;
        run.label = "direct-pcm";
        run.history = {epoch(1, {1000, 50}, {1000000, 100000}),
                       epoch(2, {2000, 0}, {1000000, 100000}),
                       epoch(3, {3000, 30}, {1000000, 100000})};
        chart.setComparisons({run});
        const QLineSeries* line = series_named(chart.chartView(), "direct-pcm devices");
        QVERIFY(line);
        QCOMPARE(line->count(), 3);
        QCOMPARE(line->at(0).y(), std::log10(1050.0));
        QCOMPARE(line->at(2).x(), 3.0);
        QVERIFY(series_named(chart.chartView(), "layer 1 devices"));
        chart.setComparisons({});
        QVERIFY(!series_named(chart.chartView(), "direct-pcm devices"));
    }

    void energyOverlaysEveryComparisonRunAndReadsOnHover() {
        EnergyChart chart;
        chart.resize(900, 520);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        auto s = std::make_shared<Snapshot>();
        s->config.technology = "mca-14nm";
        s->step = 100;
        s->energy = energy(10, 20, 100);
        chart.showSnapshot(s);
        chart.setComparisons({{"direct-pcm", energy(5, 40, 300), 100}});
        ChartView* view = chart.chartView();
        auto* run = series_named<QScatterSeries>(view, "direct-pcm");
        QVERIFY(run);
        QCOMPARE(run->count(), 3); // forward, backward, update
        QCOMPARE(run->at(2), QPointF(2, 300));
        QApplication::processEvents();

        // A run's marker reads its stage total with the unit.
        QCOMPARE(view->hoverAt(pixel_of(*view, run->at(2), run)),
                 QString("direct-pcm · weight update: 300 nJ per image"));
        // A bar segment reads its component and stage with the unit.
        QStackedBarSeries* bars = nullptr;
        for (QAbstractSeries* a : view->chart()->series())
            if (!bars) bars = qobject_cast<QStackedBarSeries*>(a);
        QVERIFY(bars);
        QCOMPARE(view->hoverAt(pixel_of(*view, {2, 50}, bars)),
                 QString("PCM SET pulses · weight update: 100 nJ per image"));
        QCOMPARE(view->hoverAt(pixel_of(*view, {1, 5}, bars)),
                 QString("crossbar MVM · backward pass: 20 nJ per image"));
        // Above every bar and marker: nothing.
        QCOMPARE(view->hoverAt(pixel_of(*view, {0, 250}, bars)), QString());

        chart.setComparisons({});
        QVERIFY(!series_named<QScatterSeries>(view, "direct-pcm"));
    }

    void energyDrawsTimeAgainstDaDianNaoAndGpu() {
        // A report priced by rram-32nm, which lists TIME's two comparisons: 10 images of
        // 785-250-10 (198,760 weights), each 2 MVMs forward, 1 backward and 40,000 multiply-adds
        // of the digital update.
        EnergyLedger ledger(std::make_shared<const TechnologyPreset>(load_technology("rram-32nm")),
                            198760);
        StageCounts c;
        c[Stage::forward].mvms = 20;
        c[Stage::forward].device_reads = 20 * 98000;
        c[Stage::backward].mvms = 10;
        c[Stage::update].digital_macs = 400000;
        c[Stage::update].set_pulses = 5000;
        ledger.add(c, 10);
        EnergyChart chart;
        chart.resize(1100, 520);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        auto s = std::make_shared<Snapshot>();
        s->config.technology = "rram-32nm";
        s->step = 10;
        s->energy = ledger.report();
        chart.showSnapshot(s);
        QApplication::processEvents();
        const EnergyReport& e = s->energy;
        QCOMPARE(e.references.size(), std::size_t(2));
        const auto reference = [&](const std::string& name) {
            for (const ReferenceComparison& r : e.references)
                if (r.name == name) return r.energy_nJ[4];
            return -1.0;
        };
        // The bars are the report's totals per image: this run, DaDianNao, GPU.
        const QList<QPair<QString, double>> bars = chart.referenceBars();
        QCOMPARE(bars.size(), 3);
        const QList<QPair<QString, double>> expected = {{"this run", e.energy_nJ_per_image[4]},
                                                        {"DaDianNao", reference("DaDianNao")},
                                                        {"GPU", reference("GPU")}};
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(bars[i].first, expected[i].first);
            QVERIFY2(std::abs(bars[i].second / expected[i].second - 1) < 1e-12,
                     qPrintable(QString("%1: %2 drawn, %3 reported")
                                    .arg(bars[i].first)
                                    .arg(bars[i].second)
                                    .arg(expected[i].second)));
        }
        ChartView* view = chart.referenceView();
        QVERIFY(view->isVisible());
        QVERIFY2(view->truncatedTexts().isEmpty(), qPrintable(view->truncatedTexts().join(", ")));
        // Hovering the GPU bar reads its energy and how many times this run's it is.
        QStackedBarSeries* series = nullptr;
        for (QAbstractSeries* a : view->chart()->series())
            if (!series) series = qobject_cast<QStackedBarSeries*>(a);
        QVERIFY(series);
        const double gpu = expected[2].second, run = expected[0].second;
        const double height = series->barSets()[2]->at(2);
        QCOMPARE(view->hoverAt(pixel_of(*view, {2, height / 2}, series)),
                 QString("GPU: %1 per image (%2× this run)")
                     .arg(energy_text(gpu), QLocale().toString(gpu / run, 'f', 1)));
        // A report without TIME's comparisons (mca-14nm) hides the chart.
        s = std::make_shared<Snapshot>(*s);
        s->energy = energy(10, 20, 100);
        chart.showSnapshot(s);
        QVERIFY(!view->isVisible());
        QVERIFY(chart.referenceBars().isEmpty());
    }

    void runListShowsEveryRunAndRemovesOne() {
        ComparisonRuns runs;
        RunList list(&runs);
        auto main = std::make_shared<Snapshot>();
        main->config.name = "gui-test";
        main->epochs_total = 3;
        main->epochs_done = 1;
        main->history = {epoch(1, {100}, {1000})};
        list.showSnapshot(main);
        QCOMPARE(list.rowCount(), 1);
        QCOMPARE(list.rowText(0),
                 (QStringList{"main: gui-test", "epoch 2 / 3", "paused", "80.00 %"}));
        runs.add(gui_test_config(60, 2), "seed 2");
        runs.add(gui_test_config(60, 2), "seed 3");
        QCOMPARE(list.rowCount(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(runs.snapshot(0) && runs.snapshot(0)->loading.empty() &&
                                     !runs.snapshot(0)->layers.empty(),
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(list.rowText(1).at(2), QString("paused"), 20000);
        QCOMPARE(list.rowText(1).at(0), QString("seed 2"));
        QCOMPARE(list.rowText(1).at(1), QString("epoch 1 / 2"));
        runs.remove(0);
        QCOMPARE(list.rowCount(), 2);
        QCOMPARE(list.rowText(1).at(0), QString("seed 3"));
    }
};

QTEST_MAIN(TestComparisonOverlays)
#include "tst_comparison_overlays.moc"
