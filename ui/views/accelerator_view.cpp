#include "ui/views/accelerator_view.hpp"

#include "ui/shell/accelerator_worker.hpp"
#include "ui/views/energy_chart.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QScrollBar>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

namespace cbl::ui {

namespace {

/// Option names of the core (accelerator_config.hpp) in the lab's words: full for the table,
/// short for the chart's categories.
QString option_label(const std::string& key, bool brief) {
    if (key == "baseline") return brief ? "baseline" : "baseline (ISAAC-like)";
    if (key == "encoding") return "encoding";
    if (key == "adc_optimisation") return brief ? "A/D opt." : "A/D optimisation";
    if (key == "dynamic_quantization") return brief ? "dyn. quant." : "dynamic quantization";
    if (key == "combined") return brief ? "combined" : "all three combined";
    // Two options together: "encoding+adc_optimisation".
    // Under a bar of five a pair's names must fit about 150 px at 1280x720.
    static const std::map<QString, QString> tiny = {
        {"encoding", "enc."}, {"adc_optimisation", "A/D"}, {"dynamic_quantization", "dyn. q."}};
    QStringList parts;
    for (const QString& p : QString::fromStdString(key).split('+'))
        parts.append(brief ? tiny.at(p) : option_label(p.toStdString(), false));
    return parts.join(" + ");
}

/// The energy chart's colour of the same part where it has one (component_color).
QColor part_colour(const std::string& key) {
    if (key == "crossbar") return component_color("crossbar_mvm");
    if (key == "buffer") return component_color("io_buffer");
    if (key == "input_register") return part_color(6);
    return component_color(QString::fromStdString(key));
}

QString part_label(const std::string& key) {
    if (key == "adc") return "ADC";
    if (key == "dac") return "DAC";
    if (key == "input_register") return "input register";
    if (key == "shift_add") return "shift-add";
    return QString::fromStdString(key);
}

QString ratio_text(double x) {
    return QLocale().toString(x, 'f', 2) + "×";
}

struct Column {
    const char* title;
    const char* tip;
};
const Column columns[] = {
    {"design",
     "The ISAAC-like baseline, one of seed 001's options alone, or those ticked together"},
    {"accuracy [%]", "Top-1 accuracy on the test images run, through the bit-serial data path"},
    {"Δ accuracy [points]", "Accuracy change against the baseline, in percentage points"},
    {"energy [nJ/image]", "Modelled hardware energy per test image (ISAAC's per-operation costs)"},
    {"speed [images/s]", "Modelled hardware throughput: images per second of the accelerator"},
    {"area [mm²]", "Crossbars with their ADCs and their share of the tile"},
    {"energy eff. [× base]", "Energy efficiency (operations per joule) over the baseline's"},
    {"throughput [× base]", "Throughput (operations per second) over the baseline's"},
    {"area eff. [× base]", "Area efficiency (operations per second and mm²) over the baseline's"}};
constexpr int column_count = int(std::size(columns));

} // namespace

AcceleratorView::AcceleratorView(QWidget* parent)
    : QWidget(parent), worker_(new AcceleratorWorker(this)) {
    encoding_ = new QCheckBox("Encoding");
    encoding_->setToolTip(
        "Seed 001's weight and input encoding: each column stores its weights above its own "
        "minimum (small weights keep their high-order cells at the lowest level), and a bit plane "
        "with more ones than zeros is driven inverted, so at most half the rows conduct; the ADC "
        "gets one bit less");
    adcOptimisation_ = new QCheckBox("A/D optimisation");
    adcOptimisation_->setToolTip(
        "Each layer's ADC resolution from the largest column sum seen on the calibration images "
        "(training data, never the test set); the converter also stops at the output's "
        "significance");
    dynamicQuantization_ = new QCheckBox("Dynamic quantization");
    dynamicQuantization_->setToolTip(
        "Per row group and input vector, only the 8 bit planes below the leading one of the "
        "largest input are streamed: fewer cycles, conversions and shift-adds");
    for (QCheckBox* b : {encoding_, adcOptimisation_, dynamicQuantization_})
        b->setChecked(true);
    testImages_ = new QSpinBox;
    testImages_->setRange(10, 100000);
    testImages_->setSingleStep(500);
    testImages_->setValue(1000);
    testImages_->setSuffix(" images");
    testImages_->setGroupSeparatorShown(true);
    testImages_->setToolTip(
        "How many test images each design classifies: the first N of the test set (all of it "
        "when it is smaller). 1,000 answer in seconds; the whole set is the README's figure. "
        "Ranges are calibrated on the first 1,000 training images either way");
    run_ = new QPushButton("Run");
    run_->setToolTip("Runs the current trained weights on the baseline, each ticked option alone "
                     "and the ticked ones together; training goes on meanwhile");
    sweepButton_ =
        new QPushButton(QString("ADC sweep %1–%2 bits").arg(sweep_lo_bits).arg(sweep_hi_bits));
    sweepButton_->setToolTip(
        QString("Runs the baseline at every ADC resolution from %1 to %2 bits on the same test "
                "images: where the column sums clip and the accuracy falls")
            .arg(sweep_lo_bits)
            .arg(sweep_hi_bits));
    cancel_ = new QPushButton("Cancel");
    cancel_->setToolTip("Stops the design being run at once; the finished ones are shown");
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(220);
    // The worker's test-image count of the design under way, drawn while a run goes on.
    auto* poll = new QTimer(this);
    poll->setInterval(200);
    connect(poll, &QTimer::timeout, this, &AcceleratorView::updateProgress);
    poll->start();
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextFormat(Qt::PlainText);

    table_ = new QTableWidget(0, column_count);
    for (int c = 0; c < column_count; ++c) {
        auto* h = new QTableWidgetItem(columns[c].title);
        h->setToolTip(columns[c].tip);
        table_->setHorizontalHeaderItem(c, h);
    }
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    energyView_ = new ChartView("Energy per test image by component");
    energyBars_ = new QStackedBarSeries;
    energyView_->chart()->addSeries(energyBars_);
    energyX_ = new QBarCategoryAxis;
    energyY_ = new QValueAxis;
    energyY_->setTitleText("energy [nJ per image]");
    energyView_->chart()->addAxis(energyX_, Qt::AlignBottom);
    energyView_->chart()->addAxis(energyY_, Qt::AlignLeft);
    energyBars_->attachAxis(energyX_);
    energyBars_->attachAxis(energyY_);
    // Below the bars: the five designs' names keep the whole width of a projector's half.
    energyView_->chart()->legend()->setAlignment(Qt::AlignBottom);
    energyView_->setPlaceholder("Press Run to compare the designs");
    energyView_->setBarHoverFormat([this](const QBarSet* set, int k) {
        return QString("%1 · %2: %3 nJ per image")
            .arg(set->label(), energyX_->categories().value(k),
                 QLocale().toString(set->at(k), 'g', 3));
    });
    energyView_->setMinimumHeight(260);

    sweepView_ = new ChartView("Baseline accuracy against ADC resolution");
    sweepLine_ = new QLineSeries;
    sweepLine_->setName("baseline");
    sweepPoints_ = new QScatterSeries;
    sweepPoints_->setMarkerSize(8);
    style_series(sweepLine_, series_color(0), 2);
    sweepPoints_->setColor(series_color(0));
    sweepPoints_->setBorderColor(series_color(0));
    sweepView_->chart()->addSeries(sweepLine_);
    sweepView_->chart()->addSeries(sweepPoints_);
    sweepX_ = new QValueAxis;
    sweepX_->setTitleText("ADC resolution [bits]");
    sweepX_->setRange(sweep_lo_bits - 0.5, sweep_hi_bits + 0.5);
    sweepX_->setTickType(QValueAxis::TicksDynamic);
    sweepX_->setTickAnchor(sweep_lo_bits);
    sweepX_->setTickInterval(1);
    sweepX_->setLabelFormat("%d");
    sweepY_ = new QValueAxis;
    sweepY_->setTitleText("test accuracy [%]");
    sweepY_->setRange(0, 100);
    sweepView_->chart()->addAxis(sweepX_, Qt::AlignBottom);
    sweepView_->chart()->addAxis(sweepY_, Qt::AlignLeft);
    for (auto* s : std::initializer_list<QXYSeries*>{sweepLine_, sweepPoints_}) {
        s->attachAxis(sweepX_);
        s->attachAxis(sweepY_);
    }
    sweepView_->chart()->legend()->hide();
    sweepView_->setPlaceholder("Press “ADC sweep” to see where accuracy falls");
    sweepView_->setHoverFormat([](const QXYSeries*, QPointF p) {
        return QString("%1-bit ADC: %2 %")
            .arg(int(std::lround(p.x())))
            .arg(QLocale().toString(p.y(), 'f', 2));
    });
    sweepView_->setMinimumHeight(260);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel("Options:"));
    controls->addWidget(encoding_);
    controls->addWidget(adcOptimisation_);
    controls->addWidget(dynamicQuantization_);
    controls->addStretch(1);
    // Three short rows rather than one long one: the view fits the laptop's tab (560 px).
    auto* actions = new QHBoxLayout;
    actions->addWidget(new QLabel("Test:"));
    actions->addWidget(testImages_);
    actions->addWidget(run_);
    actions->addWidget(sweepButton_);
    actions->addWidget(cancel_);
    actions->addWidget(progress_);
    actions->addStretch(1);
    grid_ = new QGridLayout;
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(6, 4, 4, 4);
    lay->addLayout(controls);
    lay->addLayout(actions);
    lay->addWidget(status_);
    lay->addWidget(table_);
    lay->addLayout(grid_, 1);
    // The charts take the height left (at least their minimum) and ask for no more: the
    // word-wrapped status makes a scroll area lay the view out at its preferred height, and a
    // chart's preferred height would push a 1280x720 window into scrolling.
    for (ChartView* c : {energyView_, sweepView_})
        c->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    regrid(width());

    connect(run_, &QPushButton::clicked, this, &AcceleratorView::runDesigns);
    connect(sweepButton_, &QPushButton::clicked, this, &AcceleratorView::runAdcSweep);
    connect(cancel_, &QPushButton::clicked, this, &AcceleratorView::cancel);
    connect(worker_, &AcceleratorWorker::progress, this,
            [this](int done, int total, const QString& next) {
                designsDone_ = done;
                designsTotal_ = total;
                progress_->setToolTip(next.isEmpty() ? QString() : "Running " + next);
                updateProgress();
            });
    connect(worker_, &AcceleratorWorker::finished, this, &AcceleratorView::finish);
    connect(worker_, &AcceleratorWorker::failed, this, [this](const QString& m) {
        error_ = m;
        updateControls();
        updateStatus();
        Q_EMIT resultShown();
    });
    updateControls();
    updateStatus();
}

bool AcceleratorView::busy() const {
    return worker_->busy();
}

void AcceleratorView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    regrid(width());
}

void AcceleratorView::regrid(int w) {
    // Each chart needs about 440 px to keep its category and tick labels whole.
    const int n = w >= 900 ? 2 : 1;
    if (n == columns_) return;
    columns_ = n;
    grid_->removeWidget(energyView_);
    grid_->removeWidget(sweepView_);
    grid_->addWidget(energyView_, 0, 0);
    grid_->addWidget(sweepView_, n == 2 ? 0 : 1, n == 2 ? 1 : 0);
}

void AcceleratorView::showSnapshot(const SnapshotPtr& s) {
    last_ = s;
    updateControls();
    updateStatus();
}

void AcceleratorView::runDesigns() {
    start(Kind::designs);
}

void AcceleratorView::runAdcSweep() {
    start(Kind::sweep);
}

void AcceleratorView::cancel() {
    worker_->cancel();
    cancel_->setEnabled(false);
}

void AcceleratorView::start(Kind kind) {
    if (busy() || !source_) return;
    AcceleratorConfig config;
    config.test_images = testImages_->value();
    std::vector<AcceleratorDesign> designs;
    try {
        if (kind == Kind::designs) {
            AcceleratorOptions chosen = config.options;
            chosen.encoding = encoding_->isChecked();
            chosen.adc_optimisation = adcOptimisation_->isChecked();
            chosen.dynamic_quantization = dynamicQuantization_->isChecked();
            designs = accelerator_designs(config, chosen);
        } else {
            designs = adc_bits_sweep(config, sweep_lo_bits, sweep_hi_bits);
        }
    } catch (const std::exception& e) {
        error_ = QString::fromUtf8(e.what());
        updateStatus();
        return;
    }
    running_ = kind;
    error_.clear();
    worker_->start(source_(), std::move(designs));
    updateControls();
    updateStatus();
}

void AcceleratorView::finish(const std::shared_ptr<const AcceleratorRun>& run) {
    if (running_ == Kind::designs) {
        designs_ = run;
        drawDesigns();
    } else {
        sweep_ = run;
        drawSweep();
    }
    updateControls();
    updateStatus();
    Q_EMIT resultShown();
}

void AcceleratorView::drawDesigns() {
    const std::vector<AcceleratorResult>& rs = designs_->results;
    table_->setRowCount(int(rs.size()));
    if (rs.empty()) return;
    const AcceleratorResult& base = rs.front();
    const QLocale loc;
    for (int r = 0; r < int(rs.size()); ++r) {
        const AcceleratorResult& d = rs[std::size_t(r)];
        const AcceleratorRatios x = d.against(base);
        const double energy = d.energy_nJ_per_image();
        const QString delta = r == 0 ? QString("—")
                                     : (x.accuracy_change_points >= 0 ? "+" : "−") +
                                           loc.toString(std::abs(x.accuracy_change_points), 'f', 2);
        const QStringList cells = {option_label(d.name, false),
                                   loc.toString(100 * d.test_accuracy, 'f', 2),
                                   delta,
                                   loc.toString(energy, 'f', energy < 10 ? 2 : 1),
                                   loc.toString(d.images_per_second_hw(), 'f', 0),
                                   loc.toString(d.area_mm2(), 'f', 3),
                                   ratio_text(x.energy_efficiency),
                                   ratio_text(x.throughput),
                                   ratio_text(x.area_efficiency)};
        // What the row's hardware did, per layer: the ADC resolution its options chose.
        QStringList bits;
        for (const AcceleratorLayerReport& l : d.layers)
            bits.append(QString::number(l.adc_bits));
        const QString tip = QString("%1: ADC bits per layer %2; %3 crossbars")
                                .arg(option_label(d.name, false), bits.join(", "))
                                .arg([&] {
                                    int n = 0;
                                    for (const AcceleratorLayerReport& l : d.layers)
                                        n += l.crossbars;
                                    return n;
                                }());
        for (int c = 0; c < column_count; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter
                                          : Qt::AlignRight | Qt::AlignVCenter);
            item->setToolTip(tip);
            table_->setItem(r, c, item);
        }
    }
    table_->resizeColumnsToContents();
    // The table shows every row without scrolling; the charts take the rest.
    int h = table_->horizontalHeader()->height() + 2 * table_->frameWidth();
    for (int r = 0; r < table_->rowCount(); ++r)
        h += table_->rowHeight(r);
    table_->setFixedHeight(h + (table_->horizontalScrollBar()->isVisible()
                                    ? table_->horizontalScrollBar()->sizeHint().height()
                                    : 0));

    // Energy per image by part, a stacked bar per design.
    QStringList names;
    for (const AcceleratorResult& d : rs)
        names.append(option_label(d.name, true));
    energyBars_->clear();
    double top = 0;
    const std::vector<AcceleratorEnergyPart> keys = base.energy_nJ_per_image_by_part();
    for (std::size_t p = 0; p < keys.size(); ++p) {
        auto* set = new QBarSet(part_label(keys[p].key));
        set->setColor(part_colour(keys[p].key));
        set->setBorderColor(Qt::white);
        for (const AcceleratorResult& d : rs)
            set->append(d.energy_nJ_per_image_by_part()[p].nJ_per_image);
        energyBars_->append(set);
    }
    for (const AcceleratorResult& d : rs)
        top = std::max(top, d.energy_nJ_per_image());
    energyX_->clear();
    energyX_->append(names);
    set_nice_range(energyY_, 0, top > 0 ? top * 1.05 : 1, 5, true, false);
    energyView_->setPlaceholder({});
    energyView_->applyFonts();
}

void AcceleratorView::drawSweep() {
    QList<QPointF> points;
    double lo = 100;
    for (const AcceleratorResult& r : sweep_->results) {
        points.append(QPointF(r.config.hardware.adc_bits, 100 * r.test_accuracy));
        lo = std::min(lo, 100 * r.test_accuracy);
    }
    sweepLine_->replace(points);
    sweepPoints_->replace(points);
    set_nice_range(sweepY_, std::max(0.0, lo - 5), 100, 5, false, true);
    sweepView_->setPlaceholder(points.isEmpty() ? "The sweep was cancelled before its first run"
                                                : QString());
}

void AcceleratorView::updateProgress() {
    if (!busy()) return;
    const auto [images, total] = worker_->images();
    // Each design a hundred steps; the one under way by its test images (0 while it calibrates).
    const int part = total > 0 && designsDone_ < designsTotal_ ? 100 * images / total : 0;
    progress_->setRange(0, 100 * std::max(1, designsTotal_));
    progress_->setValue(100 * designsDone_ + part);
    progress_->setFormat(QString("design %1 of %2 · %3 %")
                             .arg(std::min(designsDone_ + 1, designsTotal_))
                             .arg(designsTotal_)
                             .arg(part));
}

void AcceleratorView::updateControls() {
    const bool running = busy();
    const bool supervised = last_ && !last_->layers.empty() && last_->config.task == "supervised";
    for (QPushButton* b : {run_, sweepButton_})
        b->setEnabled(!running && supervised && source_);
    cancel_->setEnabled(running);
    progress_->setVisible(running);
    for (QWidget* w : std::initializer_list<QWidget*>{encoding_, adcOptimisation_,
                                                      dynamicQuantization_, testImages_})
        w->setEnabled(!running);
}

void AcceleratorView::updateStatus() {
    const QLocale loc;
    QString text;
    if (busy()) {
        text = running_ == Kind::designs ? "Running the designs on a copy of the current weights; "
                                           "training goes on meanwhile…"
                                         : "Sweeping the baseline's ADC resolution…";
    } else if (!error_.isEmpty()) {
        text = "Could not run: " + error_;
    } else if (const auto& r = designs_ ? designs_ : sweep_) {
        const int images = r->results.empty() ? 0 : r->results.front().images;
        const QString epoch = r->position > 0 ? QString("in epoch %1").arg(r->epochs + 1)
                                              : QString("after epoch %1").arg(r->epochs);
        text = QString("%1 weights after %2 training images (%3), on the first %4 of %5 "
                       "test images%6 (simulated in %7 s).")
                   .arg(QString::fromStdString(r->preset))
                   .arg(loc.toString(qulonglong(r->step)))
                   .arg(epoch)
                   .arg(loc.toString(images))
                   .arg(loc.toString(r->test_images_all))
                   .arg(r->cancelled ? "; cancelled" : "")
                   .arg(loc.toString(r->seconds, 'f', 1));
        if (designs_ && sweep_)
            text += QString(" ADC sweep: %1 of %2 resolutions%3 in %4 s.")
                        .arg(sweep_->results.size())
                        .arg(sweep_->designs.size())
                        .arg(sweep_->step != r->step ? " on other weights" : "")
                        .arg(loc.toString(sweep_->seconds, 'f', 1));
        if (last_ && last_->step != r->step)
            text += " The network has trained since: Run again for its current weights.";
    } else if (!last_ || last_->layers.empty()) {
        text = "No experiment is loaded yet.";
    } else if (last_->config.task != "supervised") {
        text = "The accelerator classifies images: this experiment has task = " +
               QString::fromStdString(last_->config.task) + ".";
    } else {
        text = "The trained weights on seed 001's bit-serial RRAM accelerator: 128×128 arrays of "
               "2-bit cells, 16-bit inputs one bit per cycle, 8-bit ADCs (ISAAC).";
    }
    status_->setText(text);
}

} // namespace cbl::ui
