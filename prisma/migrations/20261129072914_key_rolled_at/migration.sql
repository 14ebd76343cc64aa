-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "rolled_at" TIMESTAMP(3);
