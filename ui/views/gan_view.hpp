#pragma once
// A GAN run (seed 002 Fig. 4G-I, task = gan) as it trains: a grid of digits the generator draws
// from a fixed noise, now or as any finished epoch left it (the slider), and the Fréchet distance
// between generated and real test images after each epoch (Fig. 4I), with the two losses.
#include "ui/views/snapshot_view.hpp"

#include <QWidget>

#include <memory>

class QLabel;
class QLineSeries;
class QScatterSeries;
class QSlider;
class QValueAxis;

namespace cbl::ui {

/// Images side by side in a square-ish grid, each pixel a grey level (0 black, 1 white), scaled
/// up without smoothing so the pixels stay visible on a projector.
class ImageGrid : public QWidget {
  public:
    explicit ImageGrid(QWidget* parent = nullptr);
    /// `images`: one image per column, `height` x `width` pixels row by row, 0..1.
    void setImages(std::shared_ptr<const Eigen::MatrixXf> images, int height, int width);
    int imageCount() const { return images_ ? int(images_->cols()) : 0; }
    QSize sizeHint() const override { return {260, 260}; }

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    std::shared_ptr<const Eigen::MatrixXf> images_;
    QImage picture_; ///< the whole grid at one pixel per image pixel
};

class GanView : public QWidget, public SnapshotView {
    Q_OBJECT
  public:
    explicit GanView(QWidget* parent = nullptr);
    void showSnapshot(const SnapshotPtr& s) override;
    /// Epochs drawn on the Fréchet-distance chart (tests).
    int distancePoints() const;
    /// The grid's images (tests).
    int gridImages() const;
    /// The line under the grid as plain text (tests).
    QString captionText() const;
    /// Shows the digits of the end of epoch `epoch` (1-based), or the generator now (0).
    void showEpoch(int epoch);

  private:
    void drawGrid();

    SnapshotPtr last_;
    ImageGrid* grid_;
    QSlider* epoch_;
    QLabel* caption_;
    QLabel* status_;
    ChartView* distanceView_;
    QLineSeries* distance_;
    QScatterSeries* points_;
    QValueAxis *x_, *y_;
};

} // namespace cbl::ui
