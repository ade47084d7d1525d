#include "ui/views/energy_chart.hpp"

#include "core/experiment/config.hpp"
#include "ui/widgets/chart_view.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QButtonGroup>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLocale>
#include <QRadioButton>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>

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
                                                     {"verify_read", "verify reads"},
                                                     {"io_buffer", "I/O buffers"},
                                                     {"digital_mac", "digital MACs"},
                                                     {"activation", "activation functions"},
                                                     {"chi_access", "χ accumulator (SRAM)"},
                                                     {"chi_memory", "χ accumulator (SRAM)"}};
    const auto it = names.find(key);
    return it != names.end() ? it->second : QString(key).replace('_', ' ');
}

double number(const nlohmann::json& j) {
    return j.is_number() ? j.get<double>() : 0.0;
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
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 4, 0);
    lay->addLayout(top);
    lay->addWidget(ratio_);
    lay->addWidget(totals_);
    lay->addWidget(view_, 1);

    connect(technology_, &QComboBox::textActivated, this, &EnergyChart::technologyRequested);
    connect(perImage_, &QRadioButton::toggled, this, [this] { redraw(); });
}

QString EnergyChart::ratioText() const {
    return ratio_->text();
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
    const nlohmann::json& e = last_->energy;
    const bool cumulative = cumulative_->isChecked();
    // Cumulative = the ledger's running total when it has one, else per image x images so far.
    double images = 1.0;
    if (cumulative) {
        images = double(std::max<std::uint64_t>(1, last_->step));
        if (e.is_object() && e.contains("energy_nJ_cumulative") &&
            e.contains("energy_nJ_per_image") && e["energy_nJ_cumulative"].is_object() &&
            e["energy_nJ_per_image"].is_object()) {
            const double per = number(e["energy_nJ_per_image"].value("total", nlohmann::json()));
            const double cum = number(e["energy_nJ_cumulative"].value("total", nlohmann::json()));
            if (per > 0 && cum > 0) images = cum / per;
        }
    }
    // Expected: components = {stage: {component: nJ per image}}; also accept the transpose.
    std::map<QString, std::map<QString, double>> table; // component -> stage -> nJ
    QStringList stages, comps;
    const nlohmann::json* c =
        e.is_object() && e.contains("components") ? &e["components"] : nullptr;
    if (c && c->is_array()) {
        // The ledger's form: [{"name", "energy_nJ_per_image": {forward, backward, update, ...}}];
        // "update" already includes "refresh", so refresh is not stacked again.
        for (const auto& comp : *c) {
            if (!comp.is_object() || !comp.contains("energy_nJ_per_image")) continue;
            const QString name = QString::fromStdString(comp.value("name", std::string("?")));
            const auto& per = comp["energy_nJ_per_image"];
            if (!per.is_object()) continue;
            for (const char* st : {"forward", "backward", "update"}) {
                const double v = number(per.value(st, nlohmann::json()));
                if (v <= 0) continue;
                table[name][st] += v;
                if (!comps.contains(name)) comps.append(name);
            }
        }
        if (!comps.isEmpty()) stages = {"forward", "backward", "update"};
    } else if (c && c->is_object()) {
        static const QStringList stage_keys = {"forward", "backward", "update", "refresh"};
        bool stage_major = false;
        for (auto it = c->begin(); it != c->end(); ++it)
            if (stage_keys.contains(QString::fromStdString(it.key()))) stage_major = true;
        for (auto it = c->begin(); it != c->end(); ++it) {
            if (!it.value().is_object()) continue;
            for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) {
                const QString a = QString::fromStdString(it.key());
                const QString b = QString::fromStdString(jt.key());
                const QString stage = stage_major ? a : b, comp = stage_major ? b : a;
                const double v = number(jt.value());
                if (v == 0) continue;
                table[comp][stage] += v;
                if (!stages.contains(stage)) stages.append(stage);
                if (!comps.contains(comp)) comps.append(comp);
            }
        }
    }
    if (stages.isEmpty() && e.is_object() && e.contains("energy_nJ_per_image") &&
        e["energy_nJ_per_image"].is_object()) {
        // No component split: one bar per stage.
        for (const char* st : {"forward", "backward", "update"}) {
            const double v = number(e["energy_nJ_per_image"].value(st, nlohmann::json()));
            stages.append(st);
            table["total"][st] = v;
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
            // 16 distinct colours: no two components of a bar look alike.
            set->setColor(part_color(i));
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
    set_nice_range(y_, 0, top > 0 ? top / div * 1.05 : 1, 5, true, false);
    const QString yTitle =
        QString("energy%1 [%2]").arg(cumulative ? " so far" : " per image").arg(unit);
    if (y_->titleText() != yTitle) y_->setTitleText(yTitle);
    const QString title = cumulative
                              ? QString("Energy of %1 training images by stage and component")
                                    .arg(QLocale().toString(qulonglong(last_->step)))
                              : QString("Energy per training image by stage and component");
    if (view_->chart()->title() != title) view_->chart()->setTitle(title);

    // Totals and the ratio against 32-bit digital (Table 1).
    QString totals;
    if (e.is_object() && e.contains("energy_nJ_per_image") &&
        e["energy_nJ_per_image"].is_object()) {
        const auto& en = e["energy_nJ_per_image"];
        totals = QString("Per image: total %1 (forward %2, backward %3, update %4)")
                     .arg(energy_text(number(en.value("total", nlohmann::json()))))
                     .arg(energy_text(number(en.value("forward", nlohmann::json()))))
                     .arg(energy_text(number(en.value("backward", nlohmann::json()))))
                     .arg(energy_text(number(en.value("update", nlohmann::json()))));
        if (e.contains("time_us_per_image") && e["time_us_per_image"].is_object()) {
            const double t = number(e["time_us_per_image"].value("total", nlohmann::json()));
            if (t > 0)
                totals += QString("; time %1 µs → %2 images/s")
                              .arg(t, 0, 'g', 3)
                              .arg(QLocale().toString(1e6 / t, 'f', 0));
        }
    }
    totals_->setText(totals);
    QString ratio;
    const char* ratio_key =
        e.is_object() && e.contains("energy_ratio_vs") ? "energy_ratio_vs" : "ratio_vs";
    if (e.is_object() && e.contains(ratio_key) && e[ratio_key].is_object()) {
        for (auto it = e[ratio_key].begin(); it != e[ratio_key].end(); ++it) {
            const double r = number(it.value());
            if (r <= 0) continue;
            if (!ratio.isEmpty()) ratio += " · ";
            const QString name =
                QString::fromStdString(it.key()).replace("digital-32bit", "32-bit digital");
            ratio +=
                r >= 1
                    ? QString("%1× less energy than %2")
                          .arg(QString::number(r, 'f', r < 10 ? 1 : 0), name)
                    : QString("%1× more energy than %2").arg(QString::number(1 / r, 'f', 1), name);
        }
    }
    ratio_->setText(ratio.isEmpty() ? (empty ? "no energy data" : QString()) : ratio);
}

} // namespace cbl::ui
