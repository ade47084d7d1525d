#include "ui/views/energy_chart.hpp"

#include "core/experiment/config.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QButtonGroup>
#include <QCategoryAxis>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLocale>
#include <QRadioButton>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <map>

namespace cbl::ui {

namespace {
// Readable names for the ledger's component and stage keys; unknown keys show as they are.
QString pretty(const QString& key) {
    static const std::map<QString, QString> names = {{"forward", "forward pass"},
                                                     {"backward", "backward pass"},
                                                     {"update", "weight update"},
                                                     {"refresh", "refresh"},
                                                     {"crossbar_mvm", "crossbar MVM"},
                                                     {"device_read", "device reads"},
                                                     {"dac", "DAC (row drivers)"},
                                                     {"adc", "ADC (column read-out)"},
                                                     {"pcm_set", "PCM SET pulses"},
                                                     {"pcm_reset", "PCM RESET pulses"},
                                                     {"rram_set", "RRAM SET pulses"},
                                                     {"rram_reset", "RRAM RESET pulses"},
                                                     {"shift_add", "shift-and-add"},
                                                     {"partial_sum_add", "partial-sum adds"},
                                                     {"weight_read", "weight reads (SRAM)"},
                                                     {"weight_write", "weight writes (SRAM)"},
                                                     {"verify_read", "verify reads"},
                                                     {"io_buffer", "I/O buffers"},
                                                     {"digital_mac", "digital MACs"},
                                                     {"activation", "activation functions"},
                                                     {"chi_access", "χ accumulator (SRAM)"},
                                                     {"chi_memory", "χ accumulator (SRAM)"}};
    const auto it = names.find(key);
    return it != names.end() ? it->second : QString(key).replace('_', ' ');
}

} // namespace

QColor component_color(const QString& key) {
    // One colour per component whatever else is shown, all distinct within a technology
    // (resources/technology); SET and RESET pulses of PCM and RRAM share theirs.
    static const std::map<QString, int> index = {
        {"crossbar_mvm", 0},     {"adc", 1},          {"dac", 2},         {"pcm_reset", 3},
        {"rram_reset", 3},       {"pcm_set", 4},      {"rram_set", 4},    {"device_read", 5},
        {"verify_read", 6},      {"weight_write", 7}, {"weight_read", 8}, {"shift_add", 9},
        {"partial_sum_add", 10}, {"chi_memory", 11},  {"chi_access", 11}, {"activation", 12},
        {"digital_mac", 13},     {"io_buffer", 15}};
    const auto it = index.find(key);
    return part_color(it != index.end() ? it->second : 14); // others (and "total") grey
}

namespace {
// The stacked stages: forward, backward and update (which includes refresh); then the total.
constexpr int stacked_columns = 3;
constexpr int total_column = column_count - 1;

/// Training images a report priced, for the cumulative view: its cumulative over its per-image
/// total, else the run's step.
double images_priced(const EnergyReport& e, std::uint64_t step) {
    const double per = e.energy_nJ_per_image[total_column];
    const double cum = e.energy_nJ_cumulative[total_column];
    if (per > 0 && cum > 0) return cum / per;
    return double(std::max<std::uint64_t>(1, step));
}
} // namespace

EnergyChart::EnergyChart(QWidget* parent) : QWidget(parent) {
    view_ = new ChartView("Energy per training image by stage and component");
    bars_ = new QStackedBarSeries;
    view_->chart()->addSeries(bars_);
    x_ = new QBarCategoryAxis;
    x_->setTitleText("training stage");
    y_ = new QValueAxis;
    y_->setTitleText("energy [nJ]");
    view_->chart()->addAxis(x_, Qt::AlignBottom);
    view_->chart()->addAxis(y_, Qt::AlignLeft);
    bars_->attachAxis(x_);
    bars_->attachAxis(y_);
    view_->chart()->legend()->setAlignment(Qt::AlignRight);
    view_->setToolTip("Modelled hardware energy (not the simulator's): each bar is one stage of "
                      "training an image, split into the components that spend it.");

    technology_ = new QComboBox;
    technology_->setToolTip("Energy and latency model of the hardware (resources/technology)");
    const QDir dir(QString::fromStdString(resource_dir()) + "/technology");
    for (const QString& f : dir.entryList({"*.json"}, QDir::Files, QDir::Name))
        technology_->addItem(f.chopped(5));
    perImage_ = new QRadioButton("per image");
    cumulative_ = new QRadioButton("cumulative");
    perImage_->setChecked(true);
    cumulative_->setToolTip("Per-image energy times the training images so far");
    auto* group = new QButtonGroup(this);
    group->addButton(perImage_);
    group->addButton(cumulative_);
    ratio_ = new QLabel;
    QFont big = ratio_->font();
    big.setBold(true);
    ratio_->setFont(big);
    ratio_->setWordWrap(true);
    totals_ = new QLabel;
    totals_->setWordWrap(true);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel("Technology:"));
    top->addWidget(technology_);
    top->addWidget(perImage_);
    top->addWidget(cumulative_);
    top->addStretch(1);
    // TIME against its two comparisons. Qt Charts' log axis cannot carry stacked bars (they
    // start at 0), so the bars are log10(nJ) above the lowest decade on a decade-labelled axis.
    referenceView_ = new ChartView("TIME vs ASIC (DaDianNao) vs GPU");
    referenceBars_ = new QStackedBarSeries;
    referenceView_->chart()->addSeries(referenceBars_);
    referenceX_ = new QBarCategoryAxis;
    referenceY_ = new QCategoryAxis;
    referenceY_->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    referenceY_->setStartValue(-1);
    referenceView_->chart()->addAxis(referenceX_, Qt::AlignBottom);
    referenceView_->chart()->addAxis(referenceY_, Qt::AlignLeft);
    referenceBars_->attachAxis(referenceX_);
    referenceBars_->attachAxis(referenceY_);
    referenceView_->chart()->legend()->hide();
    referenceView_->setFixedWidth(340);
    referenceView_->setToolTip(
        "Total energy per training image (a replayed transition for the DQN), log scale: this "
        "run's counted work on its technology, and the same multiply-accumulates priced on "
        "DaDianNao (Chen et al., MICRO 2014, at peak) and a 250 W GPU at full utilisation "
        "(resources/technology/rram-32nm.json)");
    referenceView_->setBarHoverFormat([this](const QBarSet* set, int k) {
        const double nJ = std::pow(10.0, set->at(k) + referenceFloor_);
        const QList<QPair<QString, double>> bars = referenceBars();
        QString text = QString("%1: %2 per %3").arg(set->label(), energy_text(nJ), referenceItem_);
        if (k > 0 && !bars.isEmpty() && bars.front().second > 0)
            text += QString(" (%1× this run)")
                        .arg(QLocale().toString(nJ / bars.front().second, 'f', 1));
        return text;
    });
    referenceView_->hide();

    auto* charts = new QHBoxLayout;
    charts->setContentsMargins(0, 0, 0, 0);
    charts->addWidget(view_, 1);
    charts->addWidget(referenceView_);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 4, 0);
    lay->addLayout(top);
    lay->addWidget(ratio_);
    lay->addWidget(totals_);
    lay->addLayout(charts, 1);

    // Read-outs with the unit: a bar segment's component and stage, a run's stage total.
    view_->setBarHoverFormat([this](const QBarSet* set, int k) {
        const QString stage = pretty(stages_.value(k));
        return QString("%1 · %2: %3 %4")
            .arg(set->label(), stage, QLocale().toString(set->at(k), 'g', 3), unit_);
    });
    view_->setHoverFormat([this](const QXYSeries* s, QPointF p) {
        return QString("%1 · %2: %3 %4")
            .arg(s->name(), pretty(stages_.value(int(std::lround(p.x())))),
                 QLocale().toString(p.y(), 'g', 3), unit_);
    });
    connect(technology_, &QComboBox::textActivated, this, &EnergyChart::technologyRequested);
    connect(perImage_, &QRadioButton::toggled, this, [this] { redraw(); });
}

void EnergyChart::setComparisons(std::vector<RunEnergy> runs) {
    // Comparison runs report every snapshot; most change nothing drawn here.
    if (runs == runs_) return;
    runs_ = std::move(runs);
    if (runSeries_.size() != qsizetype(runs_.size())) {
        for (QScatterSeries* ser : runSeries_)
            view_->chart()->removeSeries(ser), delete ser;
        runSeries_.clear();
        for (std::size_t i = 0; i < runs_.size(); ++i) {
            auto* ser = new QScatterSeries;
            // The runs' colours of the accuracy and sparsity charts.
            ser->setColor(series_color(int(i) + 3));
            ser->setBorderColor(Qt::white);
            ser->setMarkerSize(12);
            view_->chart()->addSeries(ser);
            ser->attachAxis(x_);
            ser->attachAxis(y_);
            runSeries_.append(ser);
        }
        view_->applyFonts();
    }
    for (std::size_t i = 0; i < runs_.size(); ++i)
        runSeries_[qsizetype(i)]->setName(runs_[i].label);
    redraw();
}

void EnergyChart::showSnapshot(const SnapshotPtr& s) {
    last_ = s;
    const QString tech = QString::fromStdString(s->config.technology);
    if (technology_->currentText() != tech) {
        QSignalBlocker block(technology_);
        if (technology_->findText(tech) < 0) technology_->addItem(tech);
        technology_->setCurrentText(tech);
    }
    redraw();
}

void EnergyChart::redraw() {
    if (!last_) return;
    const EnergyReport& e = last_->energy;
    // No experiment, no report: its technology names the preset that priced it.
    const bool reported = !e.technology.empty();
    const bool cumulative = cumulative_->isChecked();
    // Cumulative = per image x the images the ledger priced.
    const double images = cumulative ? images_priced(e, last_->step) : 1.0;
    // Stacks: component -> stage -> nJ per image. "update" already includes "refresh", so
    // refresh is not stacked again.
    std::map<QString, std::map<QString, double>> table;
    QStringList stages, comps;
    for (const ComponentSummary& c : e.components) {
        const QString name = QString::fromStdString(c.name);
        for (int col = 0; col < stacked_columns; ++col) {
            const double v = c.energy_nJ[col];
            if (v <= 0) continue;
            table[name][column_names[col]] += v;
            if (!comps.contains(name)) comps.append(name);
        }
    }
    if (!comps.isEmpty()) stages = {"forward", "backward", "update"};
    if (stages.isEmpty() && reported) {
        // Nothing spent yet: one (empty) bar per stage.
        for (int col = 0; col < stacked_columns; ++col) {
            stages.append(column_names[col]);
            table["total"][column_names[col]] = e.energy_nJ_per_image[col];
        }
        comps = {"total"};
    }
    std::sort(stages.begin(), stages.end(), [](const QString& a, const QString& b) {
        static const QStringList order = {"forward", "backward", "update", "refresh"};
        const int ia = order.indexOf(a), ib = order.indexOf(b);
        return (ia < 0 ? 99 : ia) < (ib < 0 ? 99 : ib);
    });
    const bool empty = stages.isEmpty();
    view_->setPlaceholder(empty ? "no energy data: this experiment's report has no energy "
                                  "estimate yet"
                                : QString());
    // Unit chosen from the largest stack.
    double top = 0;
    for (const QString& st : stages) {
        double sum = 0;
        for (const QString& cp : comps)
            sum += table[cp][st];
        top = std::max(top, sum * images);
    }
    // Each comparison run's stage totals, in nJ per image or so far, where the main run has bars.
    std::vector<QList<QPointF>> runPoints;
    for (const RunEnergy& r : runs_) {
        QList<QPointF> points;
        const double n = cumulative ? images_priced(r.report, r.step) : 1.0;
        for (int k = 0; k < stages.size(); ++k) {
            const int col =
                int(std::find(column_names.begin(), column_names.end(), stages[k].toStdString()) -
                    column_names.begin());
            if (col >= stacked_columns || r.report.technology.empty()) continue;
            points.append(QPointF(double(k), r.report.energy_nJ_per_image[col] * n));
            top = std::max(top, points.back().y());
        }
        runPoints.push_back(points);
    }
    double div = 1;
    QString unit = "nJ";
    if (top >= 1e6)
        div = 1e6, unit = "mJ";
    else if (top >= 1e3)
        div = 1e3, unit = "µJ";
    else if (top < 1 && top > 0)
        div = 1e-3, unit = "pJ";

    // Each stage's label carries its total: the small forward and backward bars stay readable
    // next to an update bar a hundred times taller.
    QStringList labels;
    for (const QString& st : stages) {
        double sum = 0;
        for (const QString& cp : comps)
            sum += table[cp][st];
        labels.append(QString("%1: %2").arg(pretty(st), energy_text(sum * images)));
    }
    if (stages != stages_ || comps != components_) {
        bars_->clear();
        for (int i = 0; i < comps.size(); ++i) {
            auto* set = new QBarSet(pretty(comps[i]));
            set->setColor(component_color(comps[i]));
            set->setBorderColor(Qt::white);
            for (int k = 0; k < stages.size(); ++k)
                set->append(0);
            bars_->append(set);
        }
        stages_ = stages;
        components_ = comps;
        view_->applyFonts();
    }
    if (x_->categories() != labels) {
        x_->clear();
        x_->append(labels);
    }
    const auto sets = bars_->barSets();
    for (int i = 0; i < comps.size() && i < sets.size(); ++i)
        for (int k = 0; k < stages.size(); ++k)
            sets[i]->replace(k, table[comps[i]][stages[k]] * images / div);
    // A deep-RL run prices the transitions it replays from memory, not images.
    const bool rl = last_->rl.has_value();
    const QString item = rl ? "sample" : "image";
    unit_ = unit + (cumulative ? " so far" : " per " + item);
    for (qsizetype i = 0; i < runSeries_.size() && i < qsizetype(runPoints.size()); ++i) {
        QList<QPointF> points = runPoints[std::size_t(i)];
        for (QPointF& p : points)
            p.ry() /= div;
        runSeries_[i]->replace(points);
    }
    set_nice_range(y_, 0, top > 0 ? top / div * 1.05 : 1, 5, true, false);
    const QString yTitle =
        QString("energy%1 [%2]").arg(cumulative ? " so far" : " per " + item).arg(unit);
    if (y_->titleText() != yTitle) y_->setTitleText(yTitle);
    const QString title = cumulative
                              ? QString("Energy of %1 %2 by stage and component")
                                    .arg(QLocale().toString(qulonglong(std::llround(images))))
                                    .arg(rl ? "replayed samples" : "training images")
                              : QString("Energy per %1 by stage and component")
                                    .arg(rl ? "replayed sample" : "training image");
    if (view_->chart()->title() != title) view_->chart()->setTitle(title);

    // Totals and the ratio against 32-bit digital (Table 1).
    QString totals;
    if (reported) {
        const Columns& en = e.energy_nJ_per_image;
        totals = QString("Per %1: total %2 (forward %3, backward %4, update %5)")
                     .arg(item)
                     .arg(energy_text(en[total_column]))
                     .arg(energy_text(en[0]))
                     .arg(energy_text(en[1]))
                     .arg(energy_text(en[2]));
        const double t = e.time_us_per_image[total_column];
        if (t > 0)
            totals += QString("; time %1 → %2")
                          .arg(latency_text(t),
                               rl ? rate_text(1e6 / t, "sample", "samples") : rate_text(1e6 / t));
    }
    totals_->setText(totals);
    // References by name, so the line reads the same whatever order the preset lists them in.
    std::vector<const ReferenceComparison*> refs;
    for (const ReferenceComparison& r : e.references)
        refs.push_back(&r);
    std::sort(refs.begin(), refs.end(), [](auto* a, auto* b) { return a->name < b->name; });
    QString ratio;
    for (const ReferenceComparison* ref : refs) {
        const double r = ref->energy_ratio;
        if (r <= 0) continue;
        if (!ratio.isEmpty()) ratio += " · ";
        const QString name = QString::fromStdString(ref->name);
        ratio += r >= 1
                     ? QString("%1× less energy than %2")
                           .arg(QString::number(r, 'f', r < 10 ? 1 : 0), name)
                     : QString("%1× more energy than %2").arg(QString::number(1 / r, 'f', 1), name);
    }
    ratio_->setText(ratio.isEmpty() ? (empty ? "no energy data" : QString()) : ratio);
    drawReferences(e, item);
}

void EnergyChart::drawReferences(const EnergyReport& e, const QString& item) {
    // Seed 000's comparisons, by the names the technology preset gives them.
    QList<QPair<QString, double>> bars{{"this run", e.energy_nJ_per_image[total_column]}};
    for (const char* name : {"DaDianNao", "GPU"})
        for (const ReferenceComparison& r : e.references)
            if (r.name == name) bars.append({QString(name), r.energy_nJ[total_column]});
    const bool shown = bars.size() == 3 && std::all_of(bars.begin(), bars.end(), [](auto& b) {
                           return b.second > 0 && std::isfinite(b.second);
                       });
    referenceView_->setVisible(shown);
    if (!shown) {
        referenceBars_->clear();
        return;
    }
    referenceItem_ = item;
    double lo = bars.front().second, hi = lo;
    for (const auto& b : bars)
        lo = std::min(lo, b.second), hi = std::max(hi, b.second);
    // The axis starts at least 0.3 decade below the smallest bar, so that one stays visible.
    referenceFloor_ = std::floor(std::log10(lo) - 0.3);
    const int decades = std::max(1, int(std::ceil(std::log10(hi) - referenceFloor_)));
    // Under the bars the short kinds (DaDianNao's name does not fit); hovering names it.
    const QStringList categories = {"this run", "ASIC", "GPU"};
    if (referenceX_->categories() != categories) {
        referenceX_->clear();
        referenceX_->append(categories);
    }
    if (referenceBars_->count() != bars.size()) {
        referenceBars_->clear();
        for (int i = 0; i < bars.size(); ++i) {
            auto* set = new QBarSet(bars[i].first);
            set->setColor(series_color(i));
            set->setBorderColor(Qt::white);
            for (int k = 0; k < bars.size(); ++k)
                set->append(0);
            referenceBars_->append(set);
        }
        referenceView_->applyFonts();
    }
    const auto sets = referenceBars_->barSets();
    for (int i = 0; i < bars.size(); ++i)
        sets[i]->replace(i, std::log10(bars[i].second) - referenceFloor_);
    // Decade ticks labelled in energy units (1 nJ, 10 nJ, ...).
    for (const QString& label : referenceY_->categoriesLabels())
        referenceY_->remove(label);
    for (int d = 0; d <= decades; ++d)
        referenceY_->append(energy_text(std::pow(10.0, referenceFloor_ + d)), d);
    referenceY_->setRange(0, decades);
    const QString title = QString("energy per %1 (log)").arg(item);
    if (referenceY_->titleText() != title) referenceY_->setTitleText(title);
}

QList<QPair<QString, double>> EnergyChart::referenceBars() const {
    QList<QPair<QString, double>> bars;
    if (referenceView_->isHidden()) return bars;
    const auto sets = referenceBars_->barSets();
    for (int i = 0; i < sets.size(); ++i)
        bars.append({sets[i]->label(), std::pow(10.0, sets[i]->at(i) + referenceFloor_)});
    return bars;
}

} // namespace cbl::ui
