// Issue 18: a layer whose inputs are a square image (MNIST's 28 x 28 + bias, a 5 x 5 filter +
// bias) is drawn as one small image per output neuron, one pixel apart.
#include "core/experiment/snapshot.hpp"
#include "ui/views/heatmap_panel.hpp"
#include "ui/views/receptive_fields.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QCheckBox>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace cbl;
using namespace cbl::ui;

class TestReceptiveFields : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void layouts() {
        const MosaicLayout mnist = mosaic_layout(250, 785);
        QCOMPARE(mnist.side, 28);
        QCOMPARE(mnist.grid_cols, 16);
        QCOMPARE(mnist.rows(), 16 * 29 - 1);
        QCOMPARE(mnist.cols(), 16 * 29 - 1);
        QCOMPARE(mosaic_layout(250, 784).side, 28); // no bias column
        QCOMPARE(mosaic_layout(32, 26).side, 5);    // a 5 x 5 filter and its bias
        QVERIFY(!mosaic_layout(10, 251).valid());   // hidden units, no image
        QVERIFY(!mosaic_layout(64, 28).valid());    // 3 x 3 x 3 + 1: colour, not drawn
    }

    void everyCellComesFromItsNeuronAndPixel() {
        const int outputs = 5, side = 3;
        Eigen::MatrixXf m(outputs, side * side + 1);
        for (int k = 0; k < outputs; ++k)
            for (int i = 0; i < m.cols(); ++i)
                m(k, i) = float(100 * k + i);
        const MosaicLayout l = mosaic_layout(outputs, int(m.cols()));
        QCOMPARE(l.grid_cols, 3);
        const Eigen::MatrixXf mosaic = receptive_field_mosaic(m, l);
        QCOMPARE(int(mosaic.rows()), l.rows());
        QCOMPARE(int(mosaic.cols()), l.cols());
        int drawn = 0;
        for (int r = 0; r < l.rows(); ++r)
            for (int c = 0; c < l.cols(); ++c) {
                const auto [neuron, pixel] = l.source(r, c);
                if (neuron < 0) {
                    QVERIFY(std::isnan(mosaic(r, c)));
                    continue;
                }
                QCOMPARE(mosaic(r, c), m(neuron, pixel));
                ++drawn;
            }
        QCOMPARE(drawn, outputs * side * side); // the bias is not drawn
        QCOMPARE(l.gaps(), (long long)l.rows() * l.cols() - drawn);
        for (int k = 0; k < outputs; ++k)
            for (int i = 0; i < side * side; ++i) {
                const auto [r, c] = l.cell(k, i);
                QCOMPARE(l.source(r, c), std::make_pair(k, i));
            }
        QCOMPARE(l.cell(0, side * side).first, -1);         // the bias has no pixel
        QCOMPARE(l.source(0, 1), std::make_pair(0, 1));     // neuron 0, pixel (x 1, y 0)
        QCOMPARE(l.source(5, 5), std::make_pair(4, 3 + 1)); // neuron 4, pixel (x 1, y 1)
        QCOMPARE(l.source(3, 0).first, -1);                 // the gap between tile rows
    }

    void thePanelDrawsTheFirstLayerAsImages() {
        auto s = std::make_shared<Snapshot>();
        LayerPicture first, second;
        first.weights = Eigen::MatrixXf::Random(16, 785);
        second.weights = Eigen::MatrixXf::Random(10, 17);
        s->layers = {first, second};
        s->traces = {SynapseTrace{}};
        s->traces[0].layer = 0;
        s->traces[0].row = 5;
        s->traces[0].col = 30; // pixel (x 2, y 1)
        HeatmapPanel panel;
        panel.resize(1600, 1400); // about 3 px per mosaic cell: a click hits its cell
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setQuantity(HeatmapPanel::Weight);
        panel.showSnapshot(s);
        QCheckBox* images = nullptr;
        for (QCheckBox* b : panel.findChildren<QCheckBox*>())
            if (b->text() == "as images") images = b;
        QVERIFY(images && images->isEnabled());
        QCOMPARE(panel.heatmap()->cols(), 785);
        images->setChecked(true);
        const MosaicLayout l = mosaic_layout(16, 785);
        QCOMPARE(panel.heatmap()->rows(), l.rows());
        QCOMPARE(panel.heatmap()->cols(), l.cols());
        const auto [r, c] = l.cell(5, 30);
        QCOMPARE(panel.heatmap()->value(r, c), first.weights(5, 30));
        // The ticks name neurons, not mosaic cells: at the centre of neuron 5's tile, its offset
        // in its tile row and the first neuron of that row.
        const int tile_col = 5 % l.grid_cols, tile_row = 5 / l.grid_cols, mid = l.side / 2;
        QCOMPARE(panel.heatmap()->columnTickLabels().value(tile_col * (l.side + 1) + mid),
                 QString("+%1").arg(tile_col));
        QCOMPARE(panel.heatmap()->rowTickLabels().value(tile_row * (l.side + 1) + mid),
                 QString::number(tile_row * l.grid_cols));
        QCOMPARE(panel.heatmap()->rowTickLabels().value(tile_row * (l.side + 1)), QString());
        QSignalSpy pinned(&panel, &HeatmapPanel::pinRequested);
        QTest::mouseClick(panel.heatmap(), Qt::LeftButton, {}, panel.heatmap()->cellCenter(r, c));
        QCOMPARE(pinned.count(), 1);
        QCOMPARE(pinned.at(0).at(1).toInt(), 5);
        QCOMPARE(pinned.at(0).at(2).toInt(), 30);
        panel.setLayer(1); // its 16 inputs are hidden neurons, not a 4 x 4 image
        QVERIFY(!images->isEnabled());
        QCOMPARE(panel.heatmap()->cols(), 17);
        QVERIFY(panel.heatmap()->columnTickLabels().isEmpty()); // cell indices again
    }
};

QTEST_MAIN(TestReceptiveFields)
#include "tst_receptive_fields.moc"
