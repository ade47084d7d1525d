#include "ui/views/gan_view.hpp"

#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QScatterSeries>
#include <QSlider>
#include <QTextDocumentFragment>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace cbl::ui {

namespace {

constexpr int kGap = 1; ///< image pixels between two images of the grid

const char* kNoRun = "No GAN run: choose fp32-gan or mca-pcm-gan in Experiment.";

} // namespace

ImageGrid::ImageGrid(QWidget* parent) : QWidget(parent) {
    setMinimumSize(140, 140);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageGrid::setImages(std::shared_ptr<const Eigen::MatrixXf> images, int height, int width) {
    if (images == images_) return;
    images_ = std::move(images);
    picture_ = QImage();
    const int n = imageCount();
    if (n > 0 && height > 0 && width > 0 && images_->rows() == Eigen::Index(height) * width) {
        const int cols = int(std::ceil(std::sqrt(double(n))));
        const int rows = (n + cols - 1) / cols;
        picture_ = QImage(cols * (width + kGap) - kGap, rows * (height + kGap) - kGap,
                          QImage::Format_Grayscale8);
        picture_.fill(QColor(90, 90, 90)); // the gaps: mid grey, apart from black backgrounds
        for (int k = 0; k < n; ++k) {
            const int x0 = (k % cols) * (width + kGap), y0 = (k / cols) * (height + kGap);
            for (int y = 0; y < height; ++y) {
                uchar* line = picture_.scanLine(y0 + y) + x0;
                for (int x = 0; x < width; ++x)
                    line[x] = uchar(std::lround(
                        255 * std::clamp((*images_)(Eigen::Index(y) * width + x, k), 0.f, 1.f)));
            }
        }
    }
    update();
}

void ImageGrid::paintEvent(QPaintEvent*) {
    QPainter g(this);
    if (picture_.isNull()) return;
    // As large as fits, centred; from three times up a whole multiple, so every image pixel
    // is as wide as the next (below that, whole multiples would leave the grid tiny).
    const double fit =
        std::min(double(width()) / picture_.width(), double(height()) / picture_.height());
    const double scale = fit >= 3 ? std::floor(fit) : fit;
    const QSizeF size(picture_.width() * scale, picture_.height() * scale);
    const QRectF target(QPointF((width() - size.width()) / 2, (height() - size.height()) / 2),
                        size);
    g.setRenderHint(QPainter::SmoothPixmapTransform, false);
    g.drawImage(target, picture_);
}

GanView::GanView(QWidget* parent) : QWidget(parent) {
    grid_ = new ImageGrid;
    grid_->setToolTip("Digits the generator draws from the same fixed noise vectors (those of the "
                      "Fréchet distance): each read is an inference through the generator's "
                      "crossbars, read noise included");
    epoch_ = new QSlider(Qt::Horizontal);
    epoch_->setRange(1, 1);
    epoch_->setPageStep(1);
    epoch_->setToolTip("Which generator draws the grid: as each finished epoch left it, or "
                       "(right end) as it is now");
    caption_ = new QLabel;
    caption_->setWordWrap(true);
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setToolTip("Mean losses of the epoch's alternating steps: the discriminator's L_D "
                        "(real as real, fakes as fake) and the generator's L_G (fakes as real)");

    distanceView_ = new ChartView("Fréchet distance per epoch");
    QChart* chart = distanceView_->chart();
    distance_ = new QLineSeries;
    distance_->setName("Fréchet distance");
    style_series(distance_, series_color(0), 2.5);
    points_ = new QScatterSeries;
    points_->setMarkerSize(9);
    points_->setColor(series_color(0));
    points_->setBorderColor(series_color(0));
    x_ = new QValueAxis;
    x_->setTitleText("epoch");
    x_->setLabelFormat("%d");
    y_ = new QValueAxis;
    y_->setTitleText("FD [feature units²]");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{distance_, points_}) {
        chart->addSeries(s);
        s->attachAxis(x_);
        s->attachAxis(y_);
    }
    chart->legend()->hide();
    distanceView_->setPlaceholder("The Fréchet distance appears as epochs finish");
    distanceView_->setToolTip(
        "Fréchet distance between Gaussians fitted to the features of gan.fd_samples generated "
        "images and of the test images, on a fixed classifier the lab trains once (seed 002 "
        "Fig. 4I): lower is closer to real digits");

    auto* left = new QVBoxLayout;
    left->addWidget(grid_, 1);
    left->addWidget(epoch_);
    left->addWidget(caption_);
    auto* right = new QVBoxLayout;
    right->addWidget(distanceView_, 1);
    right->addWidget(status_);
    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addLayout(left, 2);
    lay->addLayout(right, 3);
    caption_->setText(kNoRun);

    connect(epoch_, &QSlider::valueChanged, this, [this] { drawGrid(); });
}

int GanView::distancePoints() const {
    return int(points_->count());
}

int GanView::gridImages() const {
    return grid_->imageCount();
}

QString GanView::captionText() const {
    return QTextDocumentFragment::fromHtml(caption_->text()).toPlainText();
}

void GanView::showEpoch(int epoch) {
    epoch_->setValue(epoch <= 0 ? epoch_->maximum() : epoch);
}

void GanView::drawGrid() {
    if (!last_ || !last_->gan) return;
    const GanPicture& p = *last_->gan;
    const int epochs = int(p.epoch_samples.size());
    const int at = epoch_->value();
    const QLocale loc;
    if (at <= epochs) {
        grid_->setImages(p.epoch_samples[std::size_t(at - 1)], p.image_height, p.image_width);
        caption_->setText(QString("End of epoch <b>%1</b> of %2 · Fréchet distance %3")
                              .arg(at)
                              .arg(last_->epochs_total)
                              .arg(p.frechet_distance[std::size_t(at - 1)], 0, 'f', 2));
    } else {
        grid_->setImages(p.samples, p.image_height, p.image_width);
        caption_->setText(
            QString("The generator now, after <b>%1</b> real images%2")
                .arg(loc.toString(qulonglong(last_->step)))
                .arg(epochs ? QString(" (slide left for the end of each epoch)") : QString()));
    }
}

void GanView::showSnapshot(const SnapshotPtr& s) {
    const bool following = !last_ || epoch_->value() == epoch_->maximum();
    last_ = s;
    if (!s->gan) {
        grid_->setImages(nullptr, 0, 0);
        if (distance_->count()) {
            distance_->clear();
            points_->clear();
        }
        epoch_->setRange(1, 1);
        caption_->setText(kNoRun);
        status_->clear();
        return;
    }
    const GanPicture& p = *s->gan;
    const int epochs = int(p.frechet_distance.size());
    {
        // A new epoch moves a slider that followed "now" along; one set by hand stays.
        const QSignalBlocker block(epoch_);
        epoch_->setRange(1, epochs + 1);
        epoch_->setValue(following ? epochs + 1 : std::min(epoch_->value(), epochs + 1));
    }
    drawGrid();

    if (int(points_->count()) != epochs) {
        QList<QPointF> fd;
        for (int e = 0; e < epochs; ++e)
            fd.append({double(e + 1), p.frechet_distance[std::size_t(e)]});
        distance_->replace(fd);
        points_->replace(fd);
        set_nice_range(x_, 0, std::max(5.0, double(epochs)), 5, true, false, 1);
        const double hi =
            epochs ? *std::max_element(p.frechet_distance.begin(), p.frechet_distance.end()) : 1;
        set_nice_range(y_, 0, hi, 5, true);
    }
    distanceView_->setPlaceholder(epochs ? QString()
                                         : "The Fréchet distance appears as epochs finish");
    QString status;
    if (epochs) {
        const std::size_t e = std::size_t(epochs - 1);
        status = QString("Epoch %1: FD <b>%2</b> · L<sub>D</sub> %3 nats · L<sub>G</sub> %4 nats")
                     .arg(epochs)
                     .arg(p.frechet_distance[e], 0, 'f', 2)
                     .arg(p.discriminator_loss[e], 0, 'f', 3)
                     .arg(p.generator_loss[e], 0, 'f', 3);
    }
    if (p.classifier_accuracy > 0)
        status += QString("<br>FD features: a %1 (test accuracy %2 %)")
                      .arg(QString::fromStdString(p.classifier).section(',', 0, 0).toHtmlEscaped())
                      .arg(100 * p.classifier_accuracy, 0, 'f', 2);
    status_->setText(status);
}

} // namespace cbl::ui
