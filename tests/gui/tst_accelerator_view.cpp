// Issue 17 item 5: the Accelerator view runs the experiment's trained weights on seed 001's
// bit-serial accelerator off the GUI thread and shows the core's rows: the table's baseline is
// run_accelerator's on the same test images, its ratios are the core's, and a run of the main
// window takes the engine's weights.
#include "core/accelerator/accelerator_designs.hpp"
#include "core/experiment/experiment.hpp"
#include "gui_test_config.hpp"
#include "ui/shell/accelerator_worker.hpp"
#include "ui/shell/engine_bridge.hpp"
#include "ui/shell/main_window.hpp"
#include "ui/views/accelerator_view.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCheckBox>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QTabBar>
#include <QTableWidget>
#include <QTest>

#include <future>
#include <memory>

using namespace cbl;
using namespace cbl::ui;

namespace {

constexpr int test_images = 40;

QString cell(const AcceleratorView& v, int row, int column) {
    const QTableWidgetItem* item = v.table()->item(row, column);
    return item ? item->text() : QString();
}

QPushButton* button(const AcceleratorView& v, const QString& text) {
    for (QPushButton* b : v.findChildren<QPushButton*>())
        if (b->text().startsWith(text)) return b;
    return nullptr;
}

AcceleratorResult core_run(const Experiment& e, const std::string& option) {
    AcceleratorConfig c;
    c.test_images = test_images;
    return run_accelerator(e, with_option(c, option), option);
}

} // namespace

class TestAcceleratorView : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void tableIsTheCoresRows() {
        const ExperimentConfig cfg = gui_test_config(300, 1);
        auto data = std::make_shared<const DataSplit>(load_dataset(cfg.dataset));
        Experiment e(cfg, data);
        e.train_epoch();

        AcceleratorView view;
        int captures = 0;
        view.setStateSource([&] {
            ++captures;
            std::promise<CapturedState> p;
            p.set_value({e.state(), data->description, data});
            return p.get_future();
        });
        auto s = std::make_shared<Snapshot>();
        s->config = cfg;
        s->step = e.step();
        s->layers = {e.picture(0), e.picture(1)};
        view.showSnapshot(s);
        view.resize(1100, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        // Encoding and dynamic quantization: the baseline, each alone, both together.
        view.adcOptimisation()->setChecked(false);
        view.testImages()->setValue(test_images);
        QPushButton* run = button(view, "Run");
        QVERIFY(run && run->isEnabled());
        QSignalSpy shown(&view, &AcceleratorView::resultShown);
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(view.busy());
        QVERIFY(!run->isEnabled());
        QVERIFY(shown.wait(120000));
        QCOMPARE(captures, 1);
        QVERIFY(!view.busy());
        QCOMPARE(view.table()->rowCount(), 4);
        QCOMPARE(cell(view, 0, 0), QString("baseline (ISAAC-like)"));
        QCOMPARE(cell(view, 1, 0), QString("encoding"));
        QCOMPARE(cell(view, 2, 0), QString("dynamic quantization"));
        QCOMPARE(cell(view, 3, 0), QString("encoding + dynamic quantization"));

        // The baseline row is the core's run on the same first test images, bit for bit.
        const AcceleratorResult base = core_run(e, "baseline");
        const AcceleratorResult& shownBase = view.designsRun()->results.front();
        QCOMPARE(shownBase.images, test_images);
        QCOMPARE(shownBase.test_accuracy, base.test_accuracy);
        QCOMPARE(shownBase.energy_pJ(), base.energy_pJ());
        QCOMPARE(shownBase.time_ns(), base.time_ns());
        const QLocale loc;
        QCOMPARE(cell(view, 0, 1), loc.toString(100 * base.test_accuracy, 'f', 2));
        QCOMPARE(cell(view, 0, 4), loc.toString(base.images_per_second_hw(), 'f', 0));
        QCOMPARE(cell(view, 0, 6), loc.toString(1.0, 'f', 2) + "×");
        // An option's ratios are the core's against that baseline.
        const AcceleratorRatios enc = core_run(e, "encoding").against(base);
        QCOMPARE(cell(view, 1, 6), loc.toString(enc.energy_efficiency, 'f', 2) + "×");
        QCOMPARE(cell(view, 1, 7), loc.toString(enc.throughput, 'f', 2) + "×");
        QCOMPARE(cell(view, 1, 8), loc.toString(enc.area_efficiency, 'f', 2) + "×");

        // Energy by component: six parts stacked per design, summing to the row's energy.
        QStackedBarSeries* bars = nullptr;
        for (QAbstractSeries* a : view.charts().front()->chart()->series())
            if (!bars) bars = qobject_cast<QStackedBarSeries*>(a);
        QVERIFY(bars);
        QCOMPARE(bars->count(), 6);
        double sum = 0;
        for (const QBarSet* set : bars->barSets()) {
            QCOMPARE(set->count(), 4);
            sum += set->at(0);
        }
        QVERIFY(std::abs(sum - base.energy_nJ_per_image()) <= 1e-9 * sum);

        // The ADC sweep: 3 .. 10 bits of the baseline; at 8 bits it is the baseline.
        QTest::mouseClick(button(view, "ADC sweep"), Qt::LeftButton);
        QVERIFY(shown.wait(120000));
        const std::shared_ptr<const AcceleratorRun> fullSweep = view.sweepRun(); // kept alive
        const auto& sweep = fullSweep->results;
        QCOMPARE(int(sweep.size()),
                 AcceleratorView::sweep_hi_bits - AcceleratorView::sweep_lo_bits + 1);
        QCOMPARE(sweep.front().config.hardware.adc_bits, 3);
        QCOMPARE(sweep[8 - 3].test_accuracy, base.test_accuracy);
        QCOMPARE(sweep[8 - 3].energy_pJ(), base.energy_pJ());

        // With its results, floated on a 1280x720 projector (the dock's scroll area), the view
        // shows whole: no scrolling, and every chart label whole.
        {
            QScrollArea scroll;
            // The view stays this test's: handed back even when a check below fails.
            const std::unique_ptr<QScrollArea, void (*)(QScrollArea*)> giveBack(
                &scroll, [](QScrollArea* s) { s->takeWidget(); });
            scroll.setWidgetResizable(true);
            scroll.setWidget(&view);
            scroll.resize(1280, 720);
            scroll.show();
            QVERIFY(QTest::qWaitForWindowExposed(&scroll));
            QTest::qWait(100);
            QVERIFY(!scroll.verticalScrollBar()->isVisible());
            QVERIFY(!scroll.horizontalScrollBar()->isVisible());
            for (ChartView* c : view.charts())
                QVERIFY2(c->truncatedTexts().isEmpty(), qPrintable(c->truncatedTexts().join(", ")));
        }

        // Cancel stops inside the design under way (a CNN's takes minutes), not after it: pressed
        // before the worker has the weights, no design finishes.
        std::promise<CapturedState> held;
        view.setStateSource([&] { return held.get_future(); });
        view.runAdcSweep();
        QVERIFY(view.busy());
        QTest::mouseClick(button(view, "Cancel"), Qt::LeftButton);
        held.set_value({e.state(), data->description, data});
        QVERIFY(shown.wait(120000));
        QVERIFY(view.sweepRun()->cancelled);
        QVERIFY(view.sweepRun()->results.empty());
        // Pressed once a design is done, the finished ones are kept.
        view.setStateSource([&] {
            std::promise<CapturedState> p;
            p.set_value({e.state(), data->description, data});
            return p.get_future();
        });
        // Cancelled from the worker's thread as the first design ends (a queued cancel could come
        // after the last one: the designs of this small network take milliseconds).
        AcceleratorWorker* worker = view.findChild<AcceleratorWorker*>();
        const auto afterFirst = connect(
            worker, &AcceleratorWorker::progress, worker,
            [worker](int done, int, const QString&) {
                if (done == 1) worker->cancel();
            },
            Qt::DirectConnection);
        view.runAdcSweep();
        QVERIFY(shown.wait(120000));
        disconnect(afterFirst);
        QVERIFY(view.sweepRun()->cancelled);
        QVERIFY(!view.sweepRun()->results.empty());
        QVERIFY(view.sweepRun()->results.size() < sweep.size());
    }

    void mainWindowRunsTheEnginesWeights() {
        MainWindow w(nullptr, false, 1);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // A laptop's layout: the view is a tab under the learning curves.
        w.resize(1366, 768);
        w.arrangeDocks(QSize(1366, 768));
        w.loadConfig(gui_test_config(300, 1));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastSnapshot() && !w.lastSnapshot()->layers.empty(), 20000);
        w.stepImages(200);
        QTRY_VERIFY_WITH_TIMEOUT(!w.lastSnapshot()->running && w.lastSnapshot()->step == 200,
                                 20000);
        w.showView("accelerator");
        AcceleratorView* v = w.accelerator();
        QTRY_VERIFY(button(*v, "Run")->isEnabled());
        v->testImages()->setValue(test_images);
        QSignalSpy shown(v, &AcceleratorView::resultShown);
        v->runDesigns();
        QVERIFY(shown.wait(120000));
        QCOMPARE(v->table()->rowCount(), 5); // baseline, three options, combined
        // The dock tabs under the curves keep their titles whole (eight do not fit: arrows).
        for (QTabBar* bar : w.findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) {
            QCOMPARE(bar->elideMode(), Qt::ElideNone);
            QVERIFY(bar->usesScrollButtons());
        }
        QCOMPARE(v->designsRun()->step, std::uint64_t(200));
        // Its charts keep every label whole in that tab (they scroll below the table).
        QTest::qWait(100);
        for (ChartView* c : v->charts())
            QVERIFY2(c->truncatedTexts().isEmpty(), qPrintable(c->truncatedTexts().join(", ")));
        // CROSSBARLAB_GUI_SHOTS=DIR keeps a picture of the window, to look at.
        if (const QString dir = qEnvironmentVariable("CROSSBARLAB_GUI_SHOTS"); !dir.isEmpty())
            w.grab().save(dir + "/accelerator-docked.png");

        // The same weights, taken from the engine as a save takes them.
        const CapturedState c = w.bridge().engine().capture_state().get();
        const Experiment e(c.state, c.data);
        const AcceleratorResult base = core_run(e, "baseline");
        QCOMPARE(v->designsRun()->results.front().test_accuracy, base.test_accuracy);
        QCOMPARE(v->designsRun()->results.front().energy_pJ(), base.energy_pJ());
        const AcceleratorResult all = core_run(e, "combined");
        QCOMPARE(v->designsRun()->results.back().energy_pJ(), all.energy_pJ());
    }
};

QTEST_MAIN(TestAcceleratorView)
#include "tst_accelerator_view.moc"
