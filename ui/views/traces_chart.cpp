#include "ui/views/traces_chart.hpp"

#include "ui/widgets/chart_view.hpp"

#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QPushButton>
#include <QRandomGenerator>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cbl::ui {

TracesChart::TracesChart(QWidget* parent) : QWidget(parent) {
    view_ = new ChartView("Pinned synapses: conductance over device time");
    view_->drawLegendAsLines();
    x_ = new QValueAxis;
    x_->setTitleText("device time [s]");
    y_ = new QValueAxis;
    y_->setTitleText("conductance [µS]");
    y_->setRange(0, 10);
    view_->chart()->addAxis(x_, Qt::AlignBottom);
    view_->chart()->addAxis(y_, Qt::AlignLeft);
    view_->setPlaceholder("Click a cell of a conductance heatmap (or “Pin 3 random”) to follow "
                          "that synapse's G+ and G− here");
    view_->setToolTip("Solid: G+, dashed: G− of each pinned synapse (one device per weight: G "
                      "alone). Upward steps are SET pulses; the slow decay between them is "
                      "drift; a drop of both is a refresh.");
    unpin_ = new QPushButton("Unpin all");
    pinRandom_ = new QPushButton("Pin 3 random");
    pinRandom_->setToolTip("Pin three synapses of layer 1 at random");
    hint_ = new QLabel;
    auto* top = new QHBoxLayout;
    top->setContentsMargins(6, 4, 4, 0);
    top->addWidget(hint_, 1);
    top->addWidget(pinRandom_);
    top->addWidget(unpin_);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addLayout(top);
    lay->addWidget(view_, 1);
    connect(unpin_, &QPushButton::clicked, this, &TracesChart::unpinAllRequested);
    connect(pinRandom_, &QPushButton::clicked, this, [this] {
        if (!last_ || last_->layers.empty()) return;
        const auto& w = last_->layers[0].weights;
        for (int i = 0; i < 3; ++i)
            Q_EMIT pinRequested(0, QRandomGenerator::global()->bounded(int(w.rows())),
                                QRandomGenerator::global()->bounded(int(w.cols())));
    });
}

void TracesChart::showSnapshot(const SnapshotPtr& sp) {
    last_ = sp;
    const Snapshot& s = *sp;
    // A pair draws G+ solid and G- dashed in one colour; one device per weight (read against a
    // fixed reference) has no G- to draw.
    const auto pair = [&s](const SynapseTrace& t) {
        return t.layer < int(s.layers.size()) && s.layers[std::size_t(t.layer)].g_minus_uS.size();
    };
    QStringList names;
    for (const SynapseTrace& t : s.traces) {
        const QString name = QString("L%1 (%2, %3)").arg(t.layer + 1).arg(t.row).arg(t.col);
        if (pair(t))
            names << name + " G+" << name + " G−";
        else
            names << name + " G";
    }
    if (names != seriesNames_) {
        for (auto* ser : series_)
            view_->chart()->removeSeries(ser), delete ser;
        series_.clear();
        int k = -1;
        for (const QString& name : names) {
            const bool minus = name.endsWith("G−");
            if (!minus) ++k;
            auto* ser = new QLineSeries;
            ser->setName(name);
            style_series(ser, series_color(k), 2, minus ? Qt::DashLine : Qt::SolidLine);
            view_->chart()->addSeries(ser);
            ser->attachAxis(x_);
            ser->attachAxis(y_);
            series_.append(ser);
        }
        seriesNames_ = names;
        view_->applyFonts();
    }
    // The axis starts at the earliest pin, not at the start of the run: a synapse pinned late
    // in a long run would otherwise be a dot at the right edge.
    double t0 = std::numeric_limits<double>::infinity(), tmax = 0, gmax = 1;
    for (const SynapseTrace& t : s.traces)
        if (!t.t_s.empty()) {
            t0 = std::min(t0, t.t_s.front());
            tmax = std::max(tmax, t.t_s.back());
        }
    if (!std::isfinite(t0)) t0 = 0;
    const double end = std::max(s.simulated_time_s, tmax);
    QString unit;
    const double scale = time_unit(std::max(1.0, end - t0), &unit);
    const int pixels = std::max(200, view_->width());
    int next = 0;
    for (const SynapseTrace& t : s.traces) {
        QList<QPointF> gp, gm;
        gp.reserve(int(t.t_s.size()));
        for (std::size_t i = 0; i < t.t_s.size(); ++i) {
            if (i < t.g_plus_uS.size()) gp.append({t.t_s[i] / scale, t.g_plus_uS[i]});
            if (i < t.g_minus_uS.size()) gm.append({t.t_s[i] / scale, t.g_minus_uS[i]});
        }
        for (const auto& p : gp)
            gmax = std::max(gmax, p.y());
        for (const auto& p : gm)
            gmax = std::max(gmax, p.y());
        series_[next++]->replace(decimate(gp, 2 * pixels));
        if (pair(t)) series_[next++]->replace(decimate(gm, 2 * pixels));
    }
    const QString xTitle = QString("device time [%1]").arg(unit);
    if (x_->titleText() != xTitle) x_->setTitleText(xTitle);
    set_nice_range(x_, t0 / scale, end / scale, 6, t0 == 0, false);
    set_nice_range(y_, 0, gmax * 1.05, 5, true, false);
    view_->setPlaceholder(s.traces.empty() ? "Click a cell of a conductance heatmap (or “Pin 3 "
                                             "random”) to follow that synapse's G+ and G− here"
                                           : QString());
    view_->setMarkers(x_, event_markers(s, true, scale));
    hint_->setText(s.traces.empty() ? QString()
                                    : QString("%1 pinned synapse(s); device clock %2")
                                          .arg(s.traces.size())
                                          .arg(duration_text(s.simulated_time_s)));
}

} // namespace cbl::ui
