#include "ui/views/heatmap_panel.hpp"

#include "ui/views/receptive_fields.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QTabBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace cbl::ui {

namespace {
/// The value below which a fraction `q` of |entries| lie, read from a 1024-bin histogram over
/// [0, max |entry|] (one pass, no sort: this runs for every snapshot on the GUI thread).
/// The q-quantile of |m| over its finite entries (a diverged run's NaN or inf cells are drawn
/// in their own colour and must not decide, or break, the scale).
double abs_quantile(const Eigen::MatrixXf& m, double q) {
    const float* d = m.data();
    float top = 0;
    Eigen::Index finite = 0;
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (std::isfinite(d[i])) {
            top = std::max(top, std::abs(d[i]));
            ++finite;
        }
    if (!(top > 0)) return 0;
    constexpr int bins = 1024;
    std::vector<int> count(bins, 0);
    const float scale = (bins - 1) / top;
    for (Eigen::Index i = 0; i < m.size(); ++i)
        if (std::isfinite(d[i])) ++count[int(std::abs(d[i]) * scale)];
    const double want = q * double(finite);
    double seen = 0;
    for (int b = 0; b < bins; ++b)
        if ((seen += count[b]) >= want) return (b + 1) / double(scale);
    return top;
}

double nice_ceiling(double v) {
    if (!(v > 0)) return 1;
    const double mag = std::pow(10.0, std::floor(std::log10(v)));
    for (double f : {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0})
        if (f * mag >= v) return f * mag;
    return 10 * mag;
}
} // namespace

HeatmapPanel::HeatmapPanel(QWidget* parent) : QWidget(parent) {
    layerBox_ = new QComboBox;
    layerBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents); // "1: 785 → 250" in full
    layerBox_->setToolTip("Weight layer of the network (each is one crossbar array)");
    tabs_ = new QTabBar;
    tabs_->setExpanding(false);
    // Short tab names, so all five show beside the layer box in a 1280-px window: the map's
    // title and colour bar carry the formula and the units, the tooltips the meaning.
    tabs_->addTab("G+");
    tabs_->addTab("G−");
    tabs_->addTab("W");
    tabs_->addTab("pulses");
    tabs_->addTab("χ");
    tabs_->setTabVisible(Chi, false); // until an MCA layer is shown
    tabs_->setTabToolTip(GPlus, "Conductance of the device that pushes the weight up [µS]");
    tabs_->setTabToolTip(Weight, "The weight the network uses: W = β(G+ − G−), β times the "
                                 "conductance difference");
    tabs_->setTabToolTip(Chi, "The MCA accumulator χ in granules ε: every image adds its update, "
                              "a pulse fires when |χ| reaches ε (±1 on this scale)");
    fixedScale_ = new QCheckBox("hold colour scale");
    fixedScale_->setChecked(true);
    fixedScale_->setToolTip("Keep the colour range (it only grows) so colours stay comparable "
                            "over time; off: rescale to each picture's range");
    fields_ = new QCheckBox("as images");
    fields_->setToolTip("Receptive fields: each output neuron's inputs drawn as a small image "
                        "(28 × 28 for MNIST's pixels, k × k for a convolution's filter), so you "
                        "see which strokes a neuron weighs. Layers whose inputs are a square "
                        "image only; the bias is left out.");
    info_ = new QLabel;
    info_->setWordWrap(true);
    view_ = new HeatmapView;
    // Short enough for a 1280 x 720 screen; true of every layer (layer 2's inputs are neurons).
    view_->setAxisTitles("input j (crossbar row; last = bias)", "output neuron i");
    view_->setHoverText([this](int r, int c) { return hoverText(r, c); });

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel("Layer:"));
    top->addWidget(layerBox_);
    top->addWidget(tabs_, 1);
    auto* infoRow = new QHBoxLayout;
    infoRow->addWidget(info_, 1);
    auto* checks = new QVBoxLayout;
    checks->addWidget(fixedScale_);
    checks->addWidget(fields_);
    checks->addStretch(1);
    infoRow->addLayout(checks);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addLayout(top);
    lay->addLayout(infoRow);
    lay->addWidget(view_, 1);

    connect(layerBox_, &QComboBox::currentIndexChanged, this, [this](int k) {
        if (k >= 0 && k != layer_) {
            layer_ = k;
            gMax_ = wMax_ = chiMax_ = 0;
            view_->resetZoom();
            redraw();
        }
    });
    connect(tabs_, &QTabBar::currentChanged, this, [this](int q) {
        quantity_ = Quantity(q);
        redraw();
    });
    connect(fixedScale_, &QCheckBox::toggled, this, [this] {
        gMax_ = wMax_ = chiMax_ = 0;
        redraw();
    });
    connect(fields_, &QCheckBox::toggled, this, [this] {
        view_->resetZoom();
        redraw();
    });
    connect(view_, &HeatmapView::cellClicked, this, [this](int r, int c) {
        if (mosaic_.valid()) std::tie(r, c) = mosaic_.source(r, c);
        if (r >= 0) Q_EMIT pinRequested(layer_, r, c);
    });
}

void HeatmapPanel::setLayer(int k) {
    layerBox_->setCurrentIndex(k);
}
void HeatmapPanel::setQuantity(Quantity q) {
    // Kept while the layer lacks the tab (a lesson asks for chi before its MCA run arrives).
    quantity_ = q;
    redraw();
}
HeatmapPanel::Quantity HeatmapPanel::shownQuantity() const {
    return Quantity(tabs_->currentIndex());
}
bool HeatmapPanel::offers(Quantity q) const {
    return tabs_->isTabVisible(q) && tabs_->isTabEnabled(q);
}
void HeatmapPanel::setInfoVisible(bool on) {
    info_->setVisible(on);
}
QString HeatmapPanel::infoText() const {
    return info_->text();
}

void HeatmapPanel::showSnapshot(const SnapshotPtr& s) {
    const bool newShape = !last_ || last_->layers.size() != s->layers.size() ||
                          (layer_ < int(s->layers.size()) && last_->layers[layer_].weights.size() !=
                                                                 s->layers[layer_].weights.size());
    // A new experiment restarts the sticky colour ranges.
    if (!last_ || s->step < last_->step || newShape) gMax_ = wMax_ = chiMax_ = 0;
    last_ = s;
    tabs_->setTabToolTip(Pulses, "Pulses this " + period() +
                                     ": programming pulses each synapse received in the current " +
                                     period() +
                                     ": the mixed-precision scheme programs only a small fraction "
                                     "of devices");
    takeRestoredScale();
    if (layerBox_->count() != int(s->layers.size()) || newShape) {
        QSignalBlocker block(layerBox_);
        layerBox_->clear();
        for (std::size_t k = 0; k < s->layers.size(); ++k) {
            const auto& w = s->layers[k].weights;
            const int gate = s->layers[k].gate_rows;
            // A GAN lists its generator's matrices, then its discriminator's.
            const QString net =
                s->gan ? (int(k) < s->gan->generator_layers ? "generator " : "discriminator ")
                       : QString();
            layerBox_->addItem(
                QString("%1: %2%3 → %4%5")
                    .arg(k + 1)
                    .arg(net + (gate ? "LSTM gates " : ""))
                    .arg(w.cols())
                    .arg(gate ? QString("4 × %1").arg(gate) : QString::number(w.rows()))
                    .arg(s->layers[k].g_plus_uS.size() ? "" : " (FP)"));
        }
        layer_ = std::clamp(layer_, 0, std::max(0, int(s->layers.size()) - 1));
        layerBox_->setCurrentIndex(layer_);
    }
    redraw();
}

QString HeatmapPanel::period() const {
    return last_ && last_->rl ? "episode" : "epoch";
}

void HeatmapPanel::saveScale(SessionGui& gui) const {
    gui.hold_colour_scale = fixedScale_->isChecked();
    gui.heatmap_layer = layer_;
    gui.g_max_uS = gMax_;
    gui.w_max = wMax_;
    gui.chi_max_eps = chiMax_;
}

void HeatmapPanel::restoreScale(const SessionGui& gui, std::uint64_t step) {
    restoring_ = gui;
    restoringStep_ = step;
    takeRestoredScale();
    if (!restoring_) redraw();
}

void HeatmapPanel::takeRestoredScale() {
    // The opened session's picture: loaded (no longer "loading"), at the step it was saved at.
    if (!restoring_ || !last_ || !last_->loading.empty() || last_->step != restoringStep_) return;
    const SessionGui g = *std::exchange(restoring_, std::nullopt);
    {
        const QSignalBlocker block(fixedScale_);
        fixedScale_->setChecked(g.hold_colour_scale);
    }
    if (g.heatmap_layer < int(last_->layers.size())) {
        layer_ = g.heatmap_layer;
        const QSignalBlocker block(layerBox_);
        layerBox_->setCurrentIndex(layer_);
    }
    gMax_ = g.g_max_uS;
    wMax_ = g.w_max;
    chiMax_ = g.chi_max_eps;
}

void HeatmapPanel::redraw() {
    if (!last_ || layer_ >= int(last_->layers.size())) {
        view_->setTitle("no experiment loaded");
        return;
    }
    const LayerPicture& p = last_->layers[layer_];
    const bool crossbar = p.g_plus_uS.size() > 0;
    const bool pair = p.g_minus_uS.size() > 0;
    // Tab changes relayout the bar: only when they differ.
    auto enable = [this](int tab, bool on) {
        if (tabs_->isTabEnabled(tab) != on) tabs_->setTabEnabled(tab, on);
    };
    enable(GPlus, crossbar);
    // One device per weight has no G- device: the tab stays, greyed, and says why.
    enable(GMinus, pair);
    const QString minusTip =
        !crossbar || pair ? QString("Conductance of the device that pushes the weight down [µS]")
                          : QString("One device per weight, read against a fixed reference "
                                    "conductance: there is no G− device (W = β(G − G_ref))");
    if (tabs_->tabToolTip(GMinus) != minusTip) tabs_->setTabToolTip(GMinus, minusTip);
    enable(Pulses, p.pulses_epoch.size() > 0);
    // chi exists only in the mca scheme: other schemes have no tab for it at all.
    const bool chi = p.chi_eps.size() > 0;
    if (tabs_->isTabVisible(Chi) != chi) tabs_->setTabVisible(Chi, chi);
    const QString gTab = pair ? "G+" : "G";
    if (tabs_->tabText(GPlus) != gTab) tabs_->setTabText(GPlus, gTab);
    Quantity q = quantity_;
    if (!crossbar || (q == GMinus && !pair) || (q == Pulses && p.pulses_epoch.size() == 0) ||
        (q == Chi && !chi))
        q = Weight;
    if (tabs_->currentIndex() != q) {
        QSignalBlocker block(tabs_);
        tabs_->setCurrentIndex(q);
    }
    const bool hold = fixedScale_->isChecked();
    // Only the first layer's inputs are the image's pixels (a later layer's 16 neurons + bias
    // would fit a 4 x 4 square all the same).
    const MosaicLayout images =
        layer_ == 0 ? mosaic_layout(int(p.weights.rows()), int(p.weights.cols())) : MosaicLayout{};
    if (fields_->isEnabled() != images.valid()) fields_->setEnabled(images.valid());
    mosaic_ = fields_->isChecked() ? images : MosaicLayout{};
    if (mosaic_.valid()) {
        // Cell indices mean nothing in a mosaic: the ticks name neurons instead, the first of
        // each tile row on the left and the offset within the row below.
        QStringList cols(mosaic_.cols()), rows(mosaic_.rows());
        for (int t = 0; t < mosaic_.grid_cols; ++t)
            cols[t * (mosaic_.side + 1) + mosaic_.side / 2] = QString("+%1").arg(t);
        for (int first = 0; first < mosaic_.tiles; first += mosaic_.grid_cols)
            rows[(first / mosaic_.grid_cols) * (mosaic_.side + 1) + mosaic_.side / 2] =
                QString::number(first);
        view_->setTickLabels(cols, rows);
        view_->setAxisTitles(QString("neuron = its row's first + this offset; each tile its %1 × "
                                     "%1 input weights")
                                 .arg(mosaic_.side),
                             "first neuron of the row");
    } else if (p.gate_rows > 0) {
        // An LSTM's four gates are one matrix, H rows each (lstm_layer.hpp): name the blocks.
        QStringList rows(int(p.weights.rows()));
        const QStringList gates{"i", "f", "g", "o"};
        for (int g = 0; g < 4 && (g + 1) * p.gate_rows <= rows.size(); ++g)
            rows[g * p.gate_rows + p.gate_rows / 2] = gates[g];
        view_->setTickLabels({}, rows);
        view_->setAxisTitles(
            "input j: [x_t, h_{t−1}, 1] (last = bias)",
            QString("gate: input i, forget f, cell g, output o (%1 units each)").arg(p.gate_rows));
    } else {
        view_->setTickLabels({}, {});
        view_->setAxisTitles("input j (crossbar row; last = bias)", "output neuron i");
    }
    // The matrix as it is, or as one small image per output neuron.
    const auto show = [this](const Eigen::MatrixXf& m, double lo, double hi, Colormap map,
                             const QString& unit) {
        // Not one ?: expression: its mixed operands would copy m into a temporary, a megabyte
        // of freshly mapped pages at every snapshot (the GUI thread's page faults, ~3,000 a
        // second, nearly all here).
        if (mosaic_.valid())
            view_->setMatrix(receptive_field_mosaic(m, mosaic_), lo, hi, map, unit);
        else
            view_->setMatrix(m, lo, hi, map, unit);
    };
    const QString shape =
        QString("%1 outputs × %2 inputs").arg(p.weights.rows()).arg(p.weights.cols());
    QString info;
    if (crossbar) {
        const long long synapses = p.weights.size();
        long long programmed = 0;
        if (p.pulses_epoch.size()) programmed = (p.pulses_epoch.array() != 0.f).count();
        info = QString("Layer %1: %2 = %3 synapses, %4 devices (%5). β = %6 per µS. "
                       "Programmed this %8: <b>%7 %</b> of synapses.")
                   .arg(layer_ + 1)
                   .arg(shape)
                   .arg(QLocale().toString(synapses))
                   .arg(QLocale().toString(synapses * (pair ? 2 : 1) * p.pairs_per_weight))
                   .arg(!pair && p.pairs_per_weight > 1
                            ? QString("%1 single devices per weight, read against a reference; "
                                      "G is their sum")
                                  .arg(p.pairs_per_weight)
                        : !pair ? QString("a single device per weight, read against a reference")
                        : p.pairs_per_weight > 1 ? QString("%1 differential pairs per weight; "
                                                           "G+ and G− are their sums")
                                                       .arg(p.pairs_per_weight)
                                                 : QString("differential pairs"))
                   .arg(p.beta_per_uS, 0, 'g', 3)
                   .arg(100.0 * programmed / std::max<long long>(1, synapses), 0, 'f', 2)
                   .arg(period());
    } else {
        info = QString("Layer %1: %2, full-precision weights (no devices in this experiment).")
                   .arg(layer_ + 1)
                   .arg(shape);
    }

    switch (q) {
    case GPlus:
    case GMinus: {
        const Eigen::MatrixXf& m = q == GPlus ? p.g_plus_uS : p.g_minus_uS;
        // One scale for G+ and G- so the two tabs compare directly. It ends at the 99.9th
        // percentile, not the maximum: a handful of saturated devices would otherwise squeeze
        // the other 99.9 % into the bottom colours. Cells above are flagged on the colour bar.
        double hi = abs_quantile(p.g_plus_uS, 0.999);
        if (pair) hi = std::max(hi, abs_quantile(p.g_minus_uS, 0.999));
        hi = nice_ceiling(hi);
        gMax_ = hold ? std::max(gMax_, hi) : hi;
        view_->setTitle(QString("Layer %1 conductance %2 [µS]")
                            .arg(layer_ + 1)
                            .arg(q == GPlus ? (pair ? "G+" : "G") : "G−"));
        show(m, 0, gMax_, Colormap::viridis, "conductance [µS]");
        break;
    }
    case Weight: {
        double hi = nice_ceiling(abs_quantile(p.weights, 0.999));
        wMax_ = hold ? std::max(wMax_, hi) : hi;
        view_->setTitle(QString("Layer %1 weights W%2 (red > 0, blue < 0)")
                            .arg(layer_ + 1)
                            .arg(crossbar ? " = β(G+ − G−)" : ""));
        show(p.weights, -wMax_, wMax_, Colormap::diverging, "weight W [1]");
        break;
    }
    case Pulses: {
        const double hi = nice_ceiling(std::max(1.0, abs_quantile(p.pulses_epoch, 1.0)));
        view_->setTitle(QString("Layer %1 programming pulses per synapse this %2")
                            .arg(layer_ + 1)
                            .arg(period()));
        show(p.pulses_epoch, 0, hi, Colormap::magma, "pulses this " + period());
        break;
    }
    case Chi: {
        // Symmetric around 0 and at least +-1, where a pulse fires; a single device's one-RESET
        // rule can leave more than a granule in chi.
        const double hi = nice_ceiling(std::max(1.0, abs_quantile(p.chi_eps, 0.999)));
        chiMax_ = hold ? std::max(chiMax_, hi) : hi;
        view_->setTitle(QString("Layer %1 χ in granules ε (a pulse fires at ±1)").arg(layer_ + 1));
        show(p.chi_eps, -chiMax_, chiMax_, Colormap::diverging, "χ / ε [1]");
        break;
    }
    }
    if (view_->clippedHigh() > 0 && (q == GPlus || q == GMinus))
        info += QString(" %1 %2 above the colour scale (up to %3 µS).")
                    .arg(QLocale().toString(view_->clippedHigh()))
                    .arg(view_->clippedHigh() == 1 ? "device" : "devices")
                    .arg(view_->clippedMax(), 0, 'f', 1);
    // The mosaic's gaps are NaN by design (drawn grey): only the cells beyond them count.
    const long long bad = view_->nonFinite() - (mosaic_.valid() ? mosaic_.gaps() : 0);
    if (bad > 0)
        info += QString(" %1 %2 not a finite number (NaN or ±inf, drawn grey): training diverged "
                        "or the session holds bad values.")
                    .arg(QLocale().toString(bad))
                    .arg(bad == 1 ? "cell is" : "cells are");
    info_->setText(info);
    std::vector<std::pair<int, int>> pins;
    for (const SynapseTrace& t : last_->traces)
        if (t.layer == layer_) {
            const auto cell =
                mosaic_.valid() ? mosaic_.cell(t.row, t.col) : std::pair{t.row, t.col};
            if (cell.first >= 0) pins.push_back(cell); // a pinned bias has no pixel
        }
    view_->setMarkers(std::move(pins));
}

QString HeatmapPanel::hoverText(int r, int c) const {
    if (!last_ || layer_ >= int(last_->layers.size())) return {};
    if (mosaic_.valid()) {
        const auto [neuron, input] = mosaic_.source(r, c);
        if (neuron < 0) return {};
        r = neuron;
        c = input;
    }
    const LayerPicture& p = last_->layers[layer_];
    if (r >= p.weights.rows() || c >= p.weights.cols()) return {};
    QString s = QString("output %1, input %2:").arg(r).arg(c);
    if (p.g_plus_uS.size()) {
        s += QString("  G%1 = %2 µS")
                 .arg(p.g_minus_uS.size() ? "+" : "")
                 .arg(p.g_plus_uS(r, c), 0, 'f', 3);
        if (p.g_minus_uS.size()) s += QString("  G− = %1 µS").arg(p.g_minus_uS(r, c), 0, 'f', 3);
    }
    s += QString("  W = %1").arg(p.weights(r, c), 0, 'f', 4);
    if (p.pulses_epoch.size())
        s += QString("  pulses this %1 = %2").arg(period()).arg(p.pulses_epoch(r, c));
    if (p.chi_eps.size()) s += QString("  χ = %1 ε").arg(p.chi_eps(r, c), 0, 'f', 3);
    return s;
}

} // namespace cbl::ui
