// Issue 18: charts of lines zoom (wheel, rubber band) and pan (right-drag); the views' automatic
// ranges leave a zoomed chart alone; a double-click goes back and the automatic ranges apply
// again. Charts of bars do not zoom.
#include "gui_test_config.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QLineSeries>
#include <QScrollArea>
#include <QTest>
#include <QValueAxis>
#include <QWheelEvent>

using namespace cbl::ui;

namespace {

/// A chart of one line from (0, 0) to (100, 50) on nice axes.
struct LineChart {
    ChartView view{"test"};
    QValueAxis* x = new QValueAxis;
    QValueAxis* y = new QValueAxis;

    LineChart() {
        auto* line = new QLineSeries;
        for (int i = 0; i <= 100; ++i)
            line->append(i, i / 2.0);
        view.chart()->addSeries(line);
        view.chart()->addAxis(x, Qt::AlignBottom);
        view.chart()->addAxis(y, Qt::AlignLeft);
        line->attachAxis(x);
        line->attachAxis(y);
        set_nice_range(x, 0, 100);
        set_nice_range(y, 0, 50);
        view.resize(600, 400);
        view.show();
    }
    QPointF plotCentre() const {
        return view.mapFromScene(view.chart()->mapToScene(view.chart()->plotArea().center()));
    }
};

void wheel(QWidget* viewport, QPointF at, int delta, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QWheelEvent e(at, viewport->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton, mods,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(viewport, &e);
}

} // namespace

class TestChartZoom : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() { isolate_gui_test(); }

    void wheelZoomsAndAutomaticRangesWait() {
        LineChart c;
        QVERIFY(QTest::qWaitForWindowExposed(&c.view));
        QCOMPARE(c.x->max() - c.x->min(), 100.0);
        wheel(c.view.viewport(), c.plotCentre(), 120);
        QVERIFY(c.view.isZoomed());
        QVERIFY2(c.x->max() - c.x->min() < 90, qPrintable(QString::number(c.x->max())));
        const double lo = c.x->min(), hi = c.x->max();
        set_nice_range(c.x, 0, 200); // a view's redraw while zoomed
        QCOMPARE(c.x->min(), lo);
        QCOMPARE(c.x->max(), hi);
        QTest::mouseDClick(c.view.viewport(), Qt::LeftButton, {}, c.plotCentre().toPoint());
        QVERIFY(!c.view.isZoomed());
        QCOMPARE(c.x->min(), 0.0);
        QCOMPARE(c.x->max(), 100.0);
        set_nice_range(c.x, 0, 200);
        QCOMPARE(c.x->max(), 200.0);
    }

    void rubberBandZoomsIn() {
        LineChart c;
        QVERIFY(QTest::qWaitForWindowExposed(&c.view));
        const QPoint from = c.plotCentre().toPoint() - QPoint(80, 50);
        const QPoint to = c.plotCentre().toPoint() + QPoint(80, 50);
        QTest::mousePress(c.view.viewport(), Qt::LeftButton, {}, from);
        QTest::mouseMove(c.view.viewport(), c.plotCentre().toPoint());
        QTest::mouseMove(c.view.viewport(), to);
        QTest::mouseRelease(c.view.viewport(), Qt::LeftButton, {}, to);
        QVERIFY(c.view.isZoomed());
        QVERIFY(c.x->min() > 0 && c.x->max() < 100);
    }

    void rightDragPans() {
        LineChart c;
        QVERIFY(QTest::qWaitForWindowExposed(&c.view));
        const QPoint at = c.plotCentre().toPoint();
        QTest::mousePress(c.view.viewport(), Qt::RightButton, {}, at);
        QMouseEvent move(QEvent::MouseMove, at + QPoint(100, 0), c.view.viewport()->mapToGlobal(at),
                         Qt::NoButton, Qt::RightButton, Qt::NoModifier);
        QApplication::sendEvent(c.view.viewport(), &move);
        QTest::mouseRelease(c.view.viewport(), Qt::RightButton, {}, at + QPoint(100, 0));
        QVERIFY(c.view.isZoomed());
        QVERIFY2(c.x->min() < 0, qPrintable(QString::number(c.x->min()))); // dragged right
        QCOMPARE(c.x->max() - c.x->min(), 100.0);
        c.view.resetZoom();
        QCOMPARE(c.x->min(), 0.0);
    }

    void insideAScrollingPanelOnlyCtrlWheelZooms() {
        QScrollArea area;
        LineChart c;
        area.setWidget(&c.view);
        area.resize(700, 500);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        wheel(c.view.viewport(), c.plotCentre(), 120);
        QVERIFY(!c.view.isZoomed());
        wheel(c.view.viewport(), c.plotCentre(), 120, Qt::ControlModifier);
        QVERIFY(c.view.isZoomed());
        area.takeWidget();
    }

    void barChartsDoNotZoom() {
        ChartView view("bars");
        auto* set = new QBarSet("a");
        *set << 1 << 2 << 3;
        auto* bars = new QBarSeries;
        bars->append(set);
        view.chart()->addSeries(bars);
        view.chart()->createDefaultAxes();
        view.resize(600, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPointF centre =
            view.mapFromScene(view.chart()->mapToScene(view.chart()->plotArea().center()));
        wheel(view.viewport(), centre, 120);
        QVERIFY(!view.isZoomed());
    }
};

QTEST_MAIN(TestChartZoom)
#include "tst_chart_zoom.moc"
