#include "ui/views/sweep_view.hpp"

#include "core/common/param_error.hpp"
#include "core/session/atomic_file.hpp"
#include "ui/shell/exporter.hpp"
#include "ui/shell/parameter_info.hpp"
#include "ui/widgets/chart_view.hpp"
#include "ui/widgets/heatmap_view.hpp"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cbl::ui {

namespace {

/// `digits` significant digits (85.21 %) without exponents: counts from ten thousand up in k and
/// M (713k, 1.24M), whole numbers below as they are (3712).
QString number(double v, int digits = 4) {
    const double a = std::abs(v);
    if (a >= 1e6) return QString::number(v / 1e6, 'g', 3) + "M";
    if (a >= 1e4) return QString::number(v / 1e3, 'g', 3) + "k";
    if (a < 1) return QString::number(v, 'g', digits);
    return QString::number(v, 'f', std::max(0, digits - 1 - int(std::floor(std::log10(a)))));
}

/// The preset name the points' configs carry, "no name" without one.
QString sweepName(const std::vector<SweepPoint>& points) {
    const nlohmann::json name = points.front().config.value("name", nlohmann::json());
    return name.is_string() ? QString::fromStdString(name.get<std::string>()) : "no name";
}

QString with_unit(const QString& value, const QString& unit) {
    return unit.isEmpty() ? value : value + " " + unit;
}

} // namespace

SweepView::SweepView(QWidget* parent) : QWidget(parent) {
    metricBox_ = new QComboBox;
    metricBox_->setToolTip("The summary value drawn, averaged over the seeds of each grid point");
    xBox_ = new QComboBox;
    xBox_->setToolTip("The swept parameter along the horizontal axis");
    yBox_ = new QComboBox;
    yBox_->setToolTip("The swept parameter along the vertical axis of the map; none: a line plot "
                      "of the metric over the horizontal one (mean ± std over seeds)");
    // Long metric and parameter names must not make the window wider than a small screen.
    for (QComboBox* box : {metricBox_, xBox_, yBox_}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8);
    }
    compareButton_ = new QPushButton("Compare…");
    compareButton_->setToolTip("Draws a second sweep file of the same grid (another preset or "
                               "scheme) beside this one in the line plot; pressed again, shows "
                               "this sweep alone");
    auto* png = new QPushButton("Export PNG…");
    png->setToolTip("Saves the map or line plot as shown, at twice its size");
    auto* csv = new QPushButton("Export CSV…");
    csv->setToolTip("Saves every metric at every grid point: mean, standard deviation and number "
                    "of seeds that ran");

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel("Metric"));
    controls->addWidget(metricBox_, 2);
    controls->addWidget(new QLabel("x axis"));
    controls->addWidget(xBox_, 1);
    controls->addWidget(new QLabel("y axis"));
    controls->addWidget(yBox_, 1);
    controls->addStretch();
    controls->addWidget(compareButton_);
    controls->addWidget(png);
    controls->addWidget(csv);
    fixedLayout_ = new QHBoxLayout;
    info_ = new QLabel;
    heatmap_ = new HeatmapView;
    heatmap_->setEmptyText("no sweep loaded: File → Open sweep…");
    heatmap_->setHint("hover: mean over seeds, spread and seeds run · grey: not run yet · wheel: "
                      "zoom · double-click: whole map");
    chart_ = new ChartView("");
    stack_ = new QStackedWidget;
    stack_->addWidget(heatmap_);
    stack_->addWidget(chart_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(fixedLayout_);
    layout->addWidget(info_);
    layout->addWidget(stack_, 1);

    connect(metricBox_, &QComboBox::currentIndexChanged, this, &SweepView::setMetric);
    connect(xBox_, &QComboBox::currentIndexChanged, this, [this](int x) { setAxes(x, y_); });
    // Entry 0 of the y box is "none".
    connect(yBox_, &QComboBox::currentIndexChanged, this, [this](int y) { setAxes(x_, y - 1); });
    connect(compareButton_, &QPushButton::clicked, this, [this] {
        if (!comparePath_.isEmpty()) {
            compare({});
            return;
        }
        const QString path = QFileDialog::getOpenFileName(
            this, "Compare with sweep", QFileInfo(path_).absolutePath(), "Sweep (*.h5)");
        if (path.isEmpty()) return;
        const QString error = compare(path);
        if (!error.isEmpty()) QMessageBox::warning(this, "Compare", error);
    });
    connect(png, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, "Export sweep map", QFileInfo(path_).completeBaseName() + ".png", "PNG (*.png)");
        if (path.isEmpty()) return;
        const QString error = exportPng(path);
        if (!error.isEmpty()) QMessageBox::warning(this, "Export", error);
    });
    connect(csv, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, "Export sweep table", QFileInfo(path_).completeBaseName() + ".csv",
            "CSV (*.csv)");
        if (path.isEmpty()) return;
        const QString error = exportCsv(path);
        if (!error.isEmpty()) QMessageBox::warning(this, "Export", error);
    });
}

QString SweepView::open(const QString& path) {
    std::vector<SweepPoint> points;
    SweepTable grid;
    try {
        points = load_sweep(path.toStdString());
        if (points.empty()) throw InputError("sweep file " + path.toStdString() + " has no points");
        // A metric no summary has: the grid alone, and a check that the points form one.
        grid = aggregate_sweep(points, SweepMetric{});
    } catch (const std::exception& e) {
        const QString what = QString::fromUtf8(e.what());
        return what.contains(path) ? what : "sweep file " + path + ": " + what;
    }
    path_ = path;
    points_ = std::move(points);
    comparePath_.clear();
    comparePoints_.clear();
    metrics_ = sweep_metrics(points_);
    const nlohmann::json& config = points_.front().config;
    const nlohmann::json::json_pointer family("/device/family");
    family_ = config.contains(family) && config.at(family).is_string()
                  ? QString::fromStdString(config.at(family).get<std::string>())
                  : "pcm";
    table_ = std::move(grid);
    const int n = int(table_.axes.size());
    fixed_.assign(table_.axes.size(), 0);
    metric_ = 0;
    // The fastest-changing parameter across, the slowest up: the grid as the CLI ran it.
    x_ = n - 1;
    y_ = n >= 2 ? 0 : -1;
    fillControls();
    redraw();
    return {};
}

QString SweepView::compare(const QString& path) {
    if (path.isEmpty()) {
        comparePath_.clear();
        comparePoints_.clear();
        redraw();
        return {};
    }
    if (points_.empty()) return "open a sweep first, then compare another with it";
    std::vector<SweepPoint> points;
    try {
        points = load_sweep(path.toStdString());
        if (points.empty()) throw InputError("sweep file " + path.toStdString() + " has no points");
        const SweepTable grid = aggregate_sweep(points, SweepMetric{});
        if (grid.axes.size() != table_.axes.size())
            throw InputError("it sweeps " + std::to_string(grid.axes.size()) +
                             " parameters, this one " + std::to_string(table_.axes.size()));
        for (std::size_t k = 0; k < grid.axes.size(); ++k)
            if (grid.axes[k].key != table_.axes[k].key ||
                grid.axes[k].values != table_.axes[k].values)
                throw InputError("its swept parameter " + std::to_string(k + 1) + " (" +
                                 grid.axes[k].key + ") or its values differ from this one's (" +
                                 table_.axes[k].key + ")");
    } catch (const std::exception& e) {
        const QString what = QString::fromUtf8(e.what());
        return what.contains(path) ? what : "sweep file " + path + ": " + what;
    }
    comparePath_ = path;
    comparePoints_ = std::move(points);
    redraw();
    return {};
}

void SweepView::fillControls() {
    const QSignalBlocker m(metricBox_), x(xBox_), y(yBox_);
    metricBox_->clear();
    for (const SweepMetric& metric : metrics_) {
        const QString unit = QString::fromStdString(metric.unit);
        metricBox_->addItem(QString::fromStdString(metric.label) +
                            (unit.isEmpty() ? "" : " [" + unit + "]"));
        metricBox_->setItemData(metricBox_->count() - 1,
                                "summary key " + QString::fromStdString(metric.key),
                                Qt::ToolTipRole);
    }
    metricBox_->setEnabled(!metrics_.empty());
    xBox_->clear();
    yBox_->clear();
    yBox_->addItem("none: line plot");
    for (int k = 0; k < int(table_.axes.size()); ++k) {
        const QString key = QString::fromStdString(table_.axes[k].key);
        xBox_->addItem(axisTitle(k));
        xBox_->setItemData(k, key, Qt::ToolTipRole);
        yBox_->addItem(axisTitle(k));
        yBox_->setItemData(k + 1, key, Qt::ToolTipRole);
    }

    // One "held at" choice per swept parameter, shown while it is on neither axis.
    for (QComboBox* box : fixedBoxes_)
        box->parentWidget()->deleteLater();
    fixedBoxes_.clear();
    for (int k = 0; k < int(table_.axes.size()); ++k) {
        auto* holder = new QWidget;
        auto* row = new QHBoxLayout(holder);
        row->setContentsMargins(0, 0, 0, 0);
        row->addWidget(new QLabel(axisTitle(k) + " held at"));
        auto* box = new QComboBox;
        for (const std::string& v : table_.axes[k].values)
            box->addItem(QString::fromStdString(v));
        box->setToolTip(QString::fromStdString(table_.axes[k].key) +
                        " is on neither axis: the map shows the points at this value");
        connect(box, &QComboBox::currentIndexChanged, this,
                [this, k](int v) { setFixedValue(k, v); });
        row->addWidget(box);
        fixedLayout_->addWidget(holder);
        fixedBoxes_.push_back(box);
    }
}

void SweepView::setMetric(int index) {
    if (index < 0 || index >= int(metrics_.size())) return;
    metric_ = index;
    redraw();
}

void SweepView::setAxes(int x, int y) {
    const int n = int(table_.axes.size());
    if (x < 0 || x >= n || y < -1 || y >= n) return;
    // Choosing the other axis's parameter swaps the two.
    if (y == x) y = x_ != x ? x_ : -1;
    x_ = x;
    y_ = y;
    redraw();
}

void SweepView::setFixedValue(int axis, int value) {
    if (axis < 0 || axis >= int(fixed_.size()) || value < 0 ||
        value >= int(table_.axes[axis].values.size()))
        return;
    fixed_[axis] = std::size_t(value);
    redraw();
}

bool SweepView::showsLinePlot() const {
    return x_ >= 0 && y_ < 0;
}

QString SweepView::axisTitle(int axis) const {
    const QString key = QString::fromStdString(table_.axes[axis].key);
    const ParameterInfo info = parameter_info(key, family_);
    const QString label = info.spec ? info.label : key;
    return info.unit.isEmpty() ? label : label + " [" + info.unit + "]";
}

QString SweepView::setting(int axis, std::size_t value) const {
    const QString key = QString::fromStdString(table_.axes[axis].key);
    const ParameterInfo info = parameter_info(key, family_);
    return (info.spec ? info.label : key) + " " +
           with_unit(QString::fromStdString(table_.axes[axis].values[value]), info.unit);
}

QString SweepView::heldTitle() const {
    QStringList held;
    for (int k = 0; k < int(table_.axes.size()); ++k)
        if (k != x_ && k != y_) held << setting(k, fixed_[k]);
    return held.isEmpty() ? QString() : " at " + held.join(", ");
}

QString SweepView::metricTitle() const {
    if (metrics_.empty()) return "no point has finished yet";
    const SweepMetric& m = metrics_[metric_];
    return QString::fromStdString(m.label) +
           (m.unit.empty() ? "" : " [" + QString::fromStdString(m.unit) + "]");
}

std::vector<std::size_t> SweepView::cellIndex(int xi, int yi) const {
    std::vector<std::size_t> at = fixed_;
    if (x_ >= 0) at[x_] = std::size_t(xi);
    if (y_ >= 0) at[y_] = std::size_t(yi);
    return at;
}

QString SweepView::describe(const std::vector<std::size_t>& at) const {
    QStringList where;
    for (int k = 0; k < int(table_.axes.size()); ++k)
        where << setting(k, at[k]);
    const SweepCell& c = table_.at(at);
    QString text = where.join(", ") + ": ";
    if (c.n == 0) return text + QString("not run yet (0 of %1 seeds)").arg(c.planned);
    const SweepMetric& m = metrics_[metric_];
    const QString unit = QString::fromStdString(m.unit);
    text += QString("%1 %2, mean of n = %3 of %4 seeds")
                .arg(QString::fromStdString(m.label), with_unit(number(c.mean), unit))
                .arg(c.n)
                .arg(c.planned);
    return text + (c.n > 1 ? ", std " + with_unit(number(c.stddev), unit) : ", no spread from one");
}

void SweepView::redraw() {
    if (points_.empty()) return;
    table_ = aggregate_sweep(points_, metrics_.empty() ? SweepMetric{} : metrics_[metric_]);
    {
        const QSignalBlocker m(metricBox_), x(xBox_), y(yBox_);
        metricBox_->setCurrentIndex(metric_);
        xBox_->setCurrentIndex(x_);
        yBox_->setCurrentIndex(y_ + 1);
    }
    for (int k = 0; k < int(fixedBoxes_.size()); ++k) {
        fixedBoxes_[k]->parentWidget()->setVisible(k != x_ && k != y_);
        const QSignalBlocker b(fixedBoxes_[k]);
        fixedBoxes_[k]->setCurrentIndex(int(fixed_[k]));
    }
    const auto finished = std::count_if(points_.begin(), points_.end(),
                                        [](const SweepPoint& p) { return !p.summary.is_null(); });
    info_->setText(QString("%1 (%2): %3 of %4 runs finished (every grid point × every seed); "
                           "cells: mean ± std over seeds")
                       .arg(QFileInfo(path_).fileName(), sweepName(points_))
                       .arg(finished)
                       .arg(points_.size()));
    if (!comparePath_.isEmpty())
        info_->setText(info_->text() + QString("; compared with %1 (%2)%3")
                                           .arg(QFileInfo(comparePath_).fileName(),
                                                sweepName(comparePoints_),
                                                showsLinePlot() ? "" : " in the line plot"));
    info_->setToolTip(path_);
    compareButton_->setText(comparePath_.isEmpty() ? "Compare…" : "Compare off");
    if (showsLinePlot())
        drawLine();
    else
        drawMap();
}

void SweepView::drawMap() {
    const auto count = [this](int axis) {
        return axis >= 0 ? int(table_.axes[axis].values.size()) : 1;
    };
    const int nx = count(x_), ny = count(y_);
    // The first y value at the bottom, as on a plot.
    Eigen::MatrixXf m(ny, nx);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int yi = 0; yi < ny; ++yi)
        for (int xi = 0; xi < nx; ++xi) {
            const SweepCell& c = table_.at(cellIndex(xi, yi));
            m(ny - 1 - yi, xi) = c.n > 0 ? float(c.mean) : std::numeric_limits<float>::quiet_NaN();
            if (c.n > 0) lo = std::min(lo, c.mean), hi = std::max(hi, c.mean);
        }
    QStringList cols, rows;
    for (int xi = 0; xi < nx; ++xi)
        cols << (x_ >= 0 ? QString::fromStdString(table_.axes[x_].values[xi]) : "");
    for (int yi = ny; yi-- > 0;)
        rows << (y_ >= 0 ? QString::fromStdString(table_.axes[y_].values[yi]) : "");
    heatmap_->setTitle(metricTitle() + ", mean over seeds" + heldTitle());
    heatmap_->setAxisTitles(x_ >= 0 ? axisTitle(x_) : "", y_ >= 0 ? axisTitle(y_) : "");
    heatmap_->setTickLabels(cols, rows);
    heatmap_->setHoverText([this, ny](int r, int c) { return describe(cellIndex(c, ny - 1 - r)); });
    heatmap_->setCellText([this, ny](int r, int c) {
        const SweepCell& cell = table_.at(cellIndex(c, ny - 1 - r));
        if (cell.n == 0) return QString();
        return cell.n > 1 ? number(cell.mean) + " ± " + number(cell.stddev, 2) : number(cell.mean);
    });
    heatmap_->setMatrix(m, lo, hi, Colormap::viridis, metricTitle());
    stack_->setCurrentWidget(heatmap_);
}

QLineSeries* SweepView::addLine(const SweepTable& table, const QString& name, int colour,
                                double& lo, double& hi) {
    QChart* chart = chart_->chart();
    auto* mean = new QLineSeries;
    mean->setName(name.isEmpty() ? "mean over seeds" : name + ", mean over seeds");
    mean->setPointsVisible(true);
    style_series(mean, series_color(colour), 2);
    auto* band = new QAreaSeries;
    band->setName(name.isEmpty() ? "± 1 std" : name + ", ± 1 std");
    auto* upper = new QLineSeries(band);
    auto* lower = new QLineSeries(band);
    QColor fill = series_color(colour);
    fill.setAlpha(60);
    band->setBrush(fill);
    band->setPen(Qt::NoPen);
    const int nx = int(table.axes[x_].values.size());
    for (int xi = 0; xi < nx; ++xi) {
        const SweepCell& c = table.at(cellIndex(xi, 0));
        if (c.n == 0) continue; // not run yet: no point
        mean->append(xi, c.mean);
        upper->append(xi, c.mean + c.stddev);
        lower->append(xi, c.mean - c.stddev);
        lo = std::min(lo, c.mean - c.stddev);
        hi = std::max(hi, c.mean + c.stddev);
    }
    band->setUpperSeries(upper);
    band->setLowerSeries(lower);
    chart->addSeries(band);
    chart->addSeries(mean);
    return mean;
}

void SweepView::drawLine() {
    QChart* chart = chart_->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) {
        chart->removeAxis(a);
        delete a;
    }
    const int nx = int(table_.axes[x_].values.size());
    auto* xAxis = new QCategoryAxis;
    xAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    for (int xi = 0; xi < nx; ++xi)
        xAxis->append(QString::fromStdString(table_.axes[x_].values[xi]), xi);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    const bool comparing = !comparePath_.isEmpty();
    QLineSeries* mean = addLine(table_, comparing ? sweepName(points_) : "", 0, lo, hi);
    QLineSeries* other = nullptr;
    if (comparing) {
        const SweepTable second =
            aggregate_sweep(comparePoints_, metrics_.empty() ? SweepMetric{} : metrics_[metric_]);
        other = addLine(second, sweepName(comparePoints_), 1, lo, hi);
    }
    xAxis->setRange(-0.5, nx - 0.5);
    xAxis->setTitleText(axisTitle(x_));
    auto* yAxis = new QValueAxis;
    yAxis->setTitleText(metricTitle());
    if (lo <= hi) set_nice_range(yAxis, lo, hi == lo ? lo + 1 : hi);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    for (QAbstractSeries* s : chart->series()) {
        s->attachAxis(xAxis);
        s->attachAxis(yAxis);
    }
    chart->setTitle(metricTitle() + " over " + axisTitle(x_) + heldTitle());
    chart_->setPlaceholder(mean->count() == 0 && (!other || other->count() == 0)
                               ? "no point of this line has run yet"
                               : "");
    chart_->setHoverFormat([this, other](const QXYSeries* series, QPointF p) {
        const QString where = describe(cellIndex(int(std::lround(p.x())), 0));
        // The hover read-out describes the first sweep's cell; the second's is its point.
        if (other && series == other)
            return sweepName(comparePoints_) + ": " + metricTitle() + " " + number(p.y());
        return where;
    });
    chart_->applyFonts();
    stack_->setCurrentWidget(chart_);
}

QString SweepView::exportPng(const QString& path) {
    return export_png(stack_->currentWidget(), path);
}

QString SweepView::exportCsv(const QString& path) {
    try {
        write_file_atomically(path.toStdString(), sweep_csv(points_, metrics_));
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace cbl::ui
