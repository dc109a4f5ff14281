package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/table"
)

// The export's columns, one row per application.
var appColumns = []string{"ID", "文件名 File", "SHA-256", "批次 Batch", "地区 Region", "状态 Status", "错误代码 Error code", "版本 Edition",
	"年度 Year", "集群名称 Cluster", "错误 Errors", "警告 Warnings", "报告版本 Report version", "上传时间 Uploaded", "审核状态 Review", "识别更正 Repairs"}

func appRow(a store.Application) []string {
	return []string{strconv.FormatInt(a.ID, 10), a.Filename, a.SHA256, a.Batch, a.Region, a.Status, a.ErrorCode, a.Edition,
		yearString(a.Year), a.ClusterName, strconv.Itoa(a.Errors), strconv.Itoa(a.Warnings), strconv.Itoa(a.Version), a.CreatedAt.Format(time.RFC3339),
		reviewState(a), strconv.Itoa(a.Repairs)}
}

// reviewState is the 审核状态 cell: who signed off the current version and
// when, or 未审核, noting a sign-off that an older version had.
func reviewState(a store.Application) string {
	var at string
	if a.ReviewedAt != nil {
		at = a.ReviewedAt.Format(time.RFC3339)
	}
	switch {
	case a.Reviewed():
		return fmt.Sprintf("已审核：%s（第 %d 版，%s）", a.ReviewedBy, a.ReviewedVersion, at)
	case a.ReviewedVersion > 0:
		return fmt.Sprintf("未审核（第 %d 版曾由 %s 审核，之后报告已更新）", a.ReviewedVersion, a.ReviewedBy)
	}
	return "未审核"
}

func yearString(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

var findingColumns = []string{"申报 ID Application", "序号 N", "严重程度 Severity", "类型 Kind", "规则 Rule", "章节 Section", "项目 Label", "列 Column", "说明 Message", "依据 Basis", "页 Page", "复核 Review", "理由 Reason"}

// exportApps reads every application matching the request's filters.
func (s *Server) exportApps(c *gin.Context) ([]store.Application, error) {
	f, err := filter(c)
	if err != nil {
		return nil, err
	}
	apps, _, err := s.st.Applications(c.Request.Context(), f)
	return apps, err
}

func (s *Server) findingRows(ctx context.Context, a store.Application) ([][]string, error) {
	if a.Version == 0 {
		return nil, nil
	}
	cur, err := s.st.Report(ctx, a.ID, 0)
	if err != nil {
		return nil, err
	}
	reviews, err := s.st.Reviews(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	byKey := map[string]store.Review{}
	for _, r := range reviews {
		byKey[r.FindingKey] = r
	}
	var rows [][]string
	for i, f := range cur.Report.Findings {
		page := ""
		if f.Page != nil {
			page = strconv.Itoa(*f.Page)
		}
		r := byKey[FindingKey(f)]
		rows = append(rows, []string{strconv.FormatInt(a.ID, 10), strconv.Itoa(i), f.Severity, f.Kind, f.Rule, f.Section, f.Label, f.Column, f.Message, f.Basis, page, r.Decision, r.Reason})
	}
	return rows, nil
}

func exportName(ext string) string {
	return fmt.Sprintf(`attachment; filename="applications-%s.%s"`, time.Now().UTC().Format("20060102-150405"), ext)
}

// exportCSV writes one row per application; ?sheet=findings writes the
// findings instead (a CSV file has one sheet).
func (s *Server) exportCSV(c *gin.Context) {
	apps, err := s.exportApps(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	header, rows := appColumns, [][]string{}
	switch c.Query("sheet") {
	case "", "applications":
		for _, a := range apps {
			rows = append(rows, appRow(a))
		}
	case "findings":
		header = findingColumns
		for _, a := range apps {
			fr, err := s.findingRows(c.Request.Context(), a)
			if err != nil {
				s.fail(c, err)
				return
			}
			rows = append(rows, fr...)
		}
	default:
		s.fail(c, badRequest("sheet 只能是 applications 或 findings。", "sheet must be applications or findings."))
		return
	}
	c.Header("Content-Disposition", exportName("csv"))
	c.Status(http.StatusOK)
	c.Writer.Header().Set("Content-Type", "text/csv; charset=utf-8")
	if err := table.WriteCSV(c.Writer, header, rows); err != nil {
		s.log.Error("csv export: write", "err", err)
	}
}

// exportXLSX writes a workbook with a sheet of applications and a sheet of
// findings, using github.com/xuri/excelize/v2's streaming writer so that
// large exports do not hold every cell in memory.
func (s *Server) exportXLSX(c *gin.Context) {
	apps, err := s.exportApps(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	x := excelize.NewFile()
	defer x.Close()
	const appSheet, findingSheet = "申报 Applications", "问题 Findings"
	if err := x.SetSheetName("Sheet1", appSheet); err != nil {
		s.fail(c, fmt.Errorf("xlsx: %w", err))
		return
	}
	if _, err := x.NewSheet(findingSheet); err != nil {
		s.fail(c, fmt.Errorf("xlsx: %w", err))
		return
	}
	write := func(sheet string, header []string, rows func(emit func([]string) error) error) error {
		sw, err := x.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		n := 1
		emit := func(r []string) error {
			cells := make([]any, len(r))
			for i, v := range r {
				cells[i] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, n)
			n++
			return sw.SetRow(cell, cells)
		}
		if err := emit(header); err != nil {
			return err
		}
		if err := rows(emit); err != nil {
			return err
		}
		return sw.Flush()
	}
	err = write(appSheet, appColumns, func(emit func([]string) error) error {
		for _, a := range apps {
			if err := emit(appRow(a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = write(findingSheet, findingColumns, func(emit func([]string) error) error {
			for _, a := range apps {
				rows, err := s.findingRows(c.Request.Context(), a)
				if err != nil {
					return err
				}
				for _, r := range rows {
					if err := emit(r); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err != nil {
		s.fail(c, fmt.Errorf("xlsx export: %w", err))
		return
	}
	c.Header("Content-Disposition", exportName("xlsx"))
	c.Status(http.StatusOK)
	c.Writer.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	if _, err := x.WriteTo(c.Writer); err != nil {
		s.log.Error("xlsx export: write", "err", err)
	}
}
