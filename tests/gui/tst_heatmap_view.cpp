// The heatmap widget on its own: colour mapping through the LUT, non-finite cells, cell geometry
// for hover and click, zoom. Its repaint cost is a benchmark (tests/bench/tst_gui_throughput).
#include "gui_test_config.hpp"
#include "ui/widgets/colormap.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <random>

using namespace cbl::ui;

class TestHeatmapView : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void lutEnds() {
        const ColorLut& v = colormap_lut(Colormap::viridis);
        QCOMPARE(qRed(v[0]), 68);
        QCOMPARE(qBlue(v[255]), 37);
        const ColorLut& d = colormap_lut(Colormap::diverging);
        // White in the middle of the diverging map: zero weight looks neutral.
        QVERIFY(qRed(d[128]) > 235 && qGreen(d[128]) > 235 && qBlue(d[128]) > 235);
    }

    void nonFiniteCellsAreDrawnNotCrashed() {
        // Issue 20: a NaN passed the 0..255 clamp and indexed the LUT at INT_MIN (SIGSEGV).
        HeatmapView h;
        h.resize(400, 300);
        h.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h));
        Eigen::MatrixXf m(2, 3);
        m << 0, NAN, 2, INFINITY, -INFINITY, 1;
        h.setMatrix(m, 0, 2, Colormap::viridis, "µS");
        QCOMPARE(h.nonFinite(), 3LL);
        QCOMPARE(h.image().pixel(1, 0), HeatmapView::non_finite_rgb);
        QCOMPARE(h.image().pixel(0, 1), HeatmapView::non_finite_rgb);
        QCOMPARE(h.image().pixel(2, 0), colormap_lut(Colormap::viridis)[255]);
        // A scale that is itself not finite falls back to [0, 1].
        h.setMatrix(m, NAN, INFINITY, Colormap::diverging, "W");
        QCOMPARE(h.nonFinite(), 3LL);
        h.repaint();
    }

    void colorsAndCells() {
        HeatmapView h;
        h.resize(800, 500);
        h.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h));
        Eigen::MatrixXf m(3, 4);
        m << 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
        h.setMatrix(m, 0, 11, Colormap::viridis, "µS");
        QCOMPARE(h.image().width(), 4);
        QCOMPARE(h.image().height(), 3);
        const ColorLut& lut = colormap_lut(Colormap::viridis);
        QCOMPARE(h.image().pixel(0, 0), lut[0]);
        QCOMPARE(h.image().pixel(3, 2), lut[255]);
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 4; ++c)
                QCOMPARE(h.cellAt(h.cellCenter(r, c)), std::make_pair(r, c));
        QSignalSpy clicked(&h, &HeatmapView::cellClicked);
        QTest::mouseClick(&h, Qt::LeftButton, {}, h.cellCenter(2, 1));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked[0][0].toInt(), 2);
        QCOMPARE(clicked[0][1].toInt(), 1);
        QTest::mouseMove(&h, h.cellCenter(1, 3));
        QTRY_VERIFY(h.hoverLine().contains("row 1, column 3"));
    }

    void overflowIsFlagged() {
        HeatmapView h;
        h.resize(400, 300);
        Eigen::MatrixXf m(3, 4);
        m << 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
        h.setMatrix(m, 0, 8, Colormap::viridis, "µS");
        // 9, 10 and 11 lie above the scale: drawn in its top colour and counted.
        QCOMPARE(h.clippedHigh(), 3LL);
        QCOMPARE(h.clippedMax(), 11.f);
        QCOMPARE(h.image().pixel(3, 2), colormap_lut(Colormap::viridis)[255]);
        h.setMatrix(m, 0, 11, Colormap::viridis, "µS");
        QCOMPARE(h.clippedHigh(), 0LL);
    }

    void zoomKeepsCellsAddressable() {
        HeatmapView h;
        h.resize(800, 500);
        h.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h));
        Eigen::MatrixXf m = Eigen::MatrixXf::Random(250, 785);
        h.setMatrix(m, -1, 1, Colormap::diverging, "W");
        h.zoomTo(100, 50, 20, 10);
        QCOMPARE(h.cellAt(h.cellCenter(55, 110)), std::make_pair(55, 110));
    }
};

QTEST_MAIN(TestHeatmapView)
#include "tst_heatmap_view.moc"
